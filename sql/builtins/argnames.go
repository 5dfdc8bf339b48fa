package builtins

// ParamInfo is what PostgreSQL's pg_proc records about a built-in's
// parameters beyond their types: the names a call may use (f(a => 1),
// f(a := 1)) and the defaults of trailing parameters, as SQL literals.
type ParamInfo struct {
	Names    []string
	Defaults []string // for the last len(Defaults) parameters
}

// paramInfo holds the built-ins that PostgreSQL gives parameter names
// (proargnames), with PostgreSQL's spelling.
var paramInfo = map[string]ParamInfo{
	"make_date":                 {Names: []string{"year", "month", "day"}},
	"make_time":                 {Names: []string{"hour", "min", "sec"}},
	"make_timestamp":            {Names: []string{"year", "month", "mday", "hour", "min", "sec"}},
	"make_timestamptz":          {Names: []string{"year", "month", "mday", "hour", "min", "sec", "timezone"}},
	"make_interval":             {Names: []string{"years", "months", "weeks", "days", "hours", "mins", "secs"}, Defaults: []string{"0", "0", "0", "0", "0", "0", "0.0"}},
	"pg_terminate_backend":      {Names: []string{"pid", "timeout"}, Defaults: []string{"0"}},
	"jsonb_array_elements":      {Names: []string{"from_json"}},
	"jsonb_array_elements_text": {Names: []string{"from_json"}},
	"json_array_elements":       {Names: []string{"from_json"}},
	"json_array_elements_text":  {Names: []string{"from_json"}},
	"jsonb_each":                {Names: []string{"from_json"}},
	"jsonb_each_text":           {Names: []string{"from_json"}},
	"json_each":                 {Names: []string{"from_json"}},
	"json_each_text":            {Names: []string{"from_json"}},
	"jsonb_set":                 {Names: []string{"jsonb_in", "path", "replacement", "create_if_missing"}, Defaults: []string{"true"}},
	"jsonb_insert":              {Names: []string{"jsonb_in", "path", "replacement", "insert_after"}, Defaults: []string{"false"}},
	"parse_ident":               {Names: []string{"str", "strict"}, Defaults: []string{"true"}},
	"uuid_generate_v3":          {Names: []string{"namespace", "name"}},
	"uuid_generate_v5":          {Names: []string{"namespace", "name"}},
}

// Params returns PostgreSQL's parameter names and defaults of built-in
// name, and whether it has any.
func Params(name string) (ParamInfo, bool) {
	p, ok := paramInfo[stripCatalog(name)]
	return p, ok
}
