package executor

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/quiverdb/quiver/auth"

	"github.com/quiverdb/quiver/sql/pgerror"
	"github.com/quiverdb/quiver/sql/types"
)

// intSettingCheck validates an integer parameter with PostgreSQL's
// messages.
func intSettingCheck(name string, lo, hi int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
		}
		if n < lo || n > hi {
			return "", pgerror.New(pgerror.CodeInvalidParameterValue, "%d is outside the valid range for parameter \"%s\" (%d .. %d)", n, name, lo, hi)
		}
		return strconv.FormatInt(n, 10), nil
	}
}

// realSettingCheck validates a floating-point parameter.
func realSettingCheck(name string, lo, hi float64) func(string) (string, error) {
	return func(v string) (string, error) {
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(f) {
			return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
		}
		if f < lo || f > hi {
			return "", pgerror.New(pgerror.CodeInvalidParameterValue, "%g is outside the valid range for parameter \"%s\" (%g .. %g)", f, name, lo, hi)
		}
		return strconv.FormatFloat(f, 'g', -1, 64), nil
	}
}

// enumSettingCheck validates a parameter that takes one of values.
func enumSettingCheck(name string, values ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		if lv := strings.ToLower(strings.TrimSpace(v)); slices.Contains(values, lv) {
			return lv, nil
		}
		return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v).
			WithHint("Available values: %s.", strings.Join(values, ", "))
	}
}

// isolationCheck validates an isolation level. Quiver runs every level
// as snapshot isolation (see the README); the level asked for is what
// SHOW reports.
func isolationCheck(name string) func(string) (string, error) {
	return enumSettingCheck(name, "serializable", "repeatable read", "read committed", "read uncommitted")
}

// boolSettingCheck validates a Boolean parameter, spelled on or off.
func boolSettingCheck(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on", "true", "yes", "1", "t", "y":
			return "on", nil
		case "off", "false", "no", "0", "f", "n":
			return "off", nil
		}
		return "", pgerror.New(pgerror.CodeInvalidParameterValue, "parameter \"%s\" requires a Boolean value", name)
	}
}

// settingDef describes a run-time parameter.
type settingDef struct {
	name     string // canonical spelling (ParameterStatus, SHOW ALL)
	def      string
	reported bool // sent as ParameterStatus when it changes
	readOnly bool
	restart  bool // readOnly because it is fixed at server start
	check    func(string) (string, error)
}

// ServerVersion is what clients parse to pick their dialect: PostgreSQL
// 15 semantics, Quiver's own version in parentheses.
const ServerVersion = "15.0 (Quiver 0.1.0)"

var settingDefs = func() map[string]settingDef {
	defs := []settingDef{
		{name: "server_version", def: ServerVersion, reported: true, readOnly: true},
		{name: "server_version_num", def: "150000", readOnly: true},
		{name: "server_encoding", def: "UTF8", reported: true, readOnly: true},
		{name: "client_encoding", def: "UTF8", reported: true, check: checkEncoding},
		{name: "DateStyle", def: "ISO, MDY", reported: true, check: checkDateStyle},
		{name: "IntervalStyle", def: "postgres", reported: true},
		{name: "TimeZone", def: "UTC", reported: true},
		{name: "integer_datetimes", def: "on", reported: true, readOnly: true},
		{name: "standard_conforming_strings", def: "on", reported: true},
		{name: "application_name", def: "", reported: true},
		{name: "is_superuser", def: "on", reported: true, readOnly: true},
		{name: "session_authorization", def: "postgres", reported: true, readOnly: true},
		{name: "search_path", def: `"$user", public`},
		{name: "extra_float_digits", def: "1"},
		{name: "statement_timeout", def: "0", check: timeSettingCheck("statement_timeout")},
		{name: "lock_timeout", def: "0", check: timeSettingCheck("lock_timeout")},
		{name: "deadlock_timeout", def: "1s", check: timeSettingCheckMin("deadlock_timeout", 1)},
		{name: "idle_in_transaction_session_timeout", def: "0", check: timeSettingCheck("idle_in_transaction_session_timeout")},
		{name: "client_min_messages", def: "notice"},
		{name: "bytea_output", def: "hex"},
		{name: "default_transaction_isolation", def: "read committed", check: isolationCheck("default_transaction_isolation")},
		{name: "transaction_isolation", def: "read committed", check: isolationCheck("transaction_isolation")},
		{name: "default_transaction_read_only", def: "off", check: boolSettingCheck("default_transaction_read_only")},
		{name: "transaction_read_only", def: "off", check: boolSettingCheck("transaction_read_only")},
		{name: "max_identifier_length", def: "63", readOnly: true},
		{name: "max_index_keys", def: "32", readOnly: true},
		{name: "max_connections", def: "100", readOnly: true},
		{name: "enable_seqscan", def: "on"},
		{name: "enable_indexscan", def: "on"},
		{name: "enable_bitmapscan", def: "on"},
		{name: "work_mem", def: "4MB"},
		{name: "maintenance_work_mem", def: "64MB"},
		{name: "max_parallel_workers_per_gather", def: "2"},
		// Tuning knobs pgvector's README sets for index builds and exact
		// scans; Quiver sizes its own parallelism, so they are recorded.
		{name: "max_parallel_maintenance_workers", def: "2", check: intSettingCheck("max_parallel_maintenance_workers", 0, 1024)},
		{name: "max_parallel_workers", def: "8", check: intSettingCheck("max_parallel_workers", 0, 1024)},
		{name: "min_parallel_table_scan_size", def: "8MB"},
		{name: "min_parallel_index_scan_size", def: "512kB"},
		{name: "parallel_setup_cost", def: "1000", check: realSettingCheck("parallel_setup_cost", 0, math.MaxFloat64)},
		{name: "parallel_tuple_cost", def: "0.1", check: realSettingCheck("parallel_tuple_cost", 0, math.MaxFloat64)},
		{name: "effective_io_concurrency", def: "1", check: intSettingCheck("effective_io_concurrency", 0, 1000)},
		{name: "shared_buffers", def: "128MB", readOnly: true, restart: true},
		{name: "max_worker_processes", def: "8", readOnly: true, restart: true},
		// Quiver reads no configuration file: its settings are flags.
		{name: "config_file", def: "", readOnly: true, restart: true},
		{name: "jit", def: "off"},
		{name: "synchronous_commit", def: "on"},
		{name: "row_security", def: "on"},
		{name: "escape_string_warning", def: "on"},
		{name: "lc_messages", def: "C"},
		{name: "lc_monetary", def: "C"},
		{name: "lc_numeric", def: "C"},
		{name: "lc_time", def: "C"},
		{name: "lc_collate", def: "C", readOnly: true},
		{name: "lc_ctype", def: "C", readOnly: true},
		{name: "block_size", def: "8192", readOnly: true},
		{name: "random_page_cost", def: "4"},
		{name: "effective_cache_size", def: "4GB"},
		{name: "timezone_abbreviations", def: "Default"},
		{name: "default_text_search_config", def: "pg_catalog.english"},
		{name: "check_function_bodies", def: "on"},
		{name: "xmloption", def: "content"},
		{name: "geqo", def: "on"},
		// pg_dump turns these off or sets them, and its output sets them
		// again on restore; Quiver's scans and storage do not depend on
		// them, so they only need to be accepted and reported.
		{name: "synchronize_seqscans", def: "on", check: checkBool("synchronize_seqscans")},
		{name: "quote_all_identifiers", def: "off", check: checkBool("quote_all_identifiers")},
		{name: "default_tablespace", def: "", check: checkOneOf("default_tablespace", "Tablespace", "", "pg_default")},
		{name: "default_table_access_method", def: "heap", check: checkOneOf("default_table_access_method", "Table access method", "heap")},
		{name: "role", def: "none"},
		{name: "password_encryption", def: "scram-sha-256", check: enumSettingCheck("password_encryption", auth.EncryptionMD5, auth.EncryptionSCRAM)},
		// pgvector's parameters, with its bounds and values. Quiver's
		// filtered searches never come back short whatever iterative_scan
		// says, and it has no ivfflat indexes: those are only recorded.
		{name: "hnsw.ef_search", def: "40", check: intSettingCheck("hnsw.ef_search", 1, 1000)},
		{name: "hnsw.iterative_scan", def: "off", check: enumSettingCheck("hnsw.iterative_scan", "off", "relaxed_order", "strict_order")},
		{name: "hnsw.max_scan_tuples", def: "20000", check: intSettingCheck("hnsw.max_scan_tuples", 1, math.MaxInt32)},
		{name: "hnsw.scan_mem_multiplier", def: "1", check: realSettingCheck("hnsw.scan_mem_multiplier", 1, 1000)},
		{name: "ivfflat.probes", def: "1", check: intSettingCheck("ivfflat.probes", 1, 32768)},
		{name: "ivfflat.iterative_scan", def: "off", check: enumSettingCheck("ivfflat.iterative_scan", "off", "relaxed_order")},
		{name: "ivfflat.max_probes", def: "32768", check: intSettingCheck("ivfflat.max_probes", 1, 32768)},
	}
	m := make(map[string]settingDef, len(defs))
	for _, d := range defs {
		m[strings.ToLower(d.name)] = d
	}
	return m
}()

func checkEncoding(v string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(v, "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	}
	return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"client_encoding\": \"%s\"", v).WithDetail("Quiver supports only the UTF8 client encoding.")
}

func checkDateStyle(v string) (string, error) {
	// Quiver formats dates in ISO; accept the combinations clients send
	// that keep ISO output.
	up := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	switch up {
	case "ISO", "ISO,MDY", "MDY,ISO":
		return "ISO, MDY", nil
	case "ISO,DMY", "DMY,ISO":
		return "ISO, DMY", nil
	case "ISO,YMD", "YMD,ISO":
		return "ISO, YMD", nil
	}
	return "", pgerror.New(pgerror.CodeFeatureNotSupported, "DateStyle \"%s\" is not supported", v).WithHint("Quiver supports the ISO DateStyle only.")
}

// checkBool accepts PostgreSQL's boolean spellings and reports on/off.
func checkBool(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		d, err := types.ParseText(types.Bool, v)
		if err != nil {
			return "", pgerror.New(pgerror.CodeInvalidParameterValue, "parameter \"%s\" requires a Boolean value", name)
		}
		if d.(types.DBool) {
			return "on", nil
		}
		return "off", nil
	}
}

// checkOneOf accepts only the named objects that exist in Quiver, so a
// dump naming another tablespace or access method fails loudly instead of
// being restored somewhere else.
func checkOneOf(name, what string, allowed ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, a := range allowed {
			if v == a {
				return v, nil
			}
		}
		return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v).
			WithDetail("%s \"%s\" does not exist.", what, v)
	}
}

// lookupSetting finds a setting definition; dotted (extension) names are
// accepted as custom settings, as PostgreSQL does.
func lookupSetting(name string) (settingDef, error) {
	key := strings.ToLower(name)
	if d, ok := settingDefs[key]; ok {
		return d, nil
	}
	if strings.Contains(key, ".") {
		return settingDef{name: key}, nil
	}
	return settingDef{}, pgerror.New(pgerror.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", name)
}
