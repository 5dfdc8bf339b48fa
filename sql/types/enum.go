package types

import (
	"github.com/quiverdb/quiver/sql/pgerror"
)

// EnumType is an enum type's identity and labels, carried inside every
// T of the type (column types included), so that values decode, compare
// and print without a catalog lookup. DDL that changes the labels
// rewrites the T of each column using the type in the same transaction.
type EnumType struct {
	OID      uint32      `json:"oid"`
	ArrayOID uint32      `json:"array_oid"`
	Name     string      `json:"name"`
	Labels   []EnumLabel `json:"labels"`
}

// EnumLabel is one pg_enum row. Sort is enumsortorder: labels added with
// BEFORE/AFTER take a value between their neighbours' (as PostgreSQL's
// float4 does), so existing values keep their sort keys and index entries.
type EnumLabel struct {
	OID   uint32  `json:"oid"`
	Sort  float32 `json:"sort"`
	Label string  `json:"label"`
	// Uncommitted marks a label ADD VALUE made inside a transaction
	// block: PostgreSQL refuses to use it (55P04) until the block
	// commits, and the commit clears the mark. Only the adding
	// transaction's private catalog ever holds it.
	Uncommitted bool `json:"uncommitted,omitempty"`
}

// DEnum is a value of an enum type: the label's pg_enum OID (what rows
// store, unchanged by RENAME VALUE), its sort order (what compares and
// what index keys hold) and its current spelling.
type DEnum struct {
	OID   uint32
	Sort  float32
	Label string
}

func (DEnum) datum() {}

// EnumOf returns the enum type with info e.
func EnumOf(e *EnumType) *T { return &T{Family: FamEnum, Enum: e} }

// ByLabel finds a label by spelling.
func (e *EnumType) ByLabel(s string) (EnumLabel, bool) {
	for _, l := range e.Labels {
		if l.Label == s {
			return l, true
		}
	}
	return EnumLabel{}, false
}

// ByOID finds a label by its pg_enum OID.
func (e *EnumType) ByOID(oid uint32) (EnumLabel, bool) {
	for _, l := range e.Labels {
		if l.OID == oid {
			return l, true
		}
	}
	return EnumLabel{}, false
}

// BySort finds a label by its sort order (index keys hold it).
func (e *EnumType) BySort(s float32) (EnumLabel, bool) {
	for _, l := range e.Labels {
		if l.Sort == s {
			return l, true
		}
	}
	return EnumLabel{}, false
}

// Sorted returns the labels in sort order.
func (e *EnumType) Sorted() []EnumLabel {
	out := append([]EnumLabel(nil), e.Labels...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Sort < out[j-1].Sort; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// Datum returns the value of label l.
func (l EnumLabel) Datum() DEnum { return DEnum{OID: l.OID, Sort: l.Sort, Label: l.Label} }

func parseEnum(t *T, s string) (Datum, error) {
	if t.Enum == nil {
		return nil, pgerror.New(pgerror.CodeInternal, "enum type without labels")
	}
	l, ok := t.Enum.ByLabel(s)
	if !ok {
		return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input value for enum %s: \"%s\"", QuoteIdent(t.Enum.Name), s)
	}
	if err := t.Enum.CheckSafe(l); err != nil {
		return nil, err
	}
	return l.Datum(), nil
}

// CheckSafe is PostgreSQL's check_safe_enum_use: a label added in the
// current, uncommitted transaction block may not be used yet.
func (e *EnumType) CheckSafe(l EnumLabel) error {
	if !l.Uncommitted {
		return nil
	}
	return pgerror.New(pgerror.CodeUnsafeNewEnumValueUsage, "unsafe use of new value \"%s\" of enum type %s", l.Label, QuoteIdent(e.Name)).
		WithHint("New enum values must be committed before they can be used.")
}
