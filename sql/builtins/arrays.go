package builtins

func registerArrays() {}
