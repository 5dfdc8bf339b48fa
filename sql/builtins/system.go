package builtins

func registerSystem() {}
