package builtins

func registerJSON() {}
