package executor

import (
	"fmt"
	"strings"
	"time"

	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/catalog"
	"github.com/quiverdb/quiver/sql/tree"
	"github.com/quiverdb/quiver/sql/types"
)

// explainColumns is EXPLAIN's single text column.
var explainColumns = []ResultColumn{{Name: "QUERY PLAN", Type: types.Text}}

// explain renders a plan tree in PostgreSQL's indented text shape (as
// with COSTS OFF: Quiver has no cost model to print yet).
func (s *Session) explain(ec *execCtx, n *tree.Explain, p *Prepared) (Result, error) {
	planStart := time.Now()
	plan, err := s.planFor(ec, p)
	if err != nil {
		return nil, err
	}
	planning := time.Since(planStart)
	var lines []string
	var execution time.Duration
	if n.Analyze {
		switch plan.(type) {
		case *planner.Insert, *planner.Update, *planner.Delete:
			return nil, notSupportedStmt("EXPLAIN ANALYZE of INSERT, UPDATE or DELETE")
		}
		ec.analyze = map[planner.Plan]*nodeStats{}
		start := time.Now()
		if _, err := ec.drain(plan); err != nil {
			return nil, err
		}
		execution = time.Since(start)
	}
	explainNode(plan, 0, &lines, ec.analyze, ec.params)
	if n.Analyze {
		lines = append(lines,
			fmt.Sprintf("Planning Time: %.3f ms", float64(planning.Microseconds())/1000),
			fmt.Sprintf("Execution Time: %.3f ms", float64(execution.Microseconds())/1000))
	}
	rows := make([][]types.Datum, len(lines))
	for i, l := range lines {
		rows[i] = []types.Datum{types.DString(l)}
	}
	return &rowsResult{cols: explainColumns, it: &sliceIter{rows: rows}, tag: "EXPLAIN"}, nil
}

func explainNode(p planner.Plan, depth int, lines *[]string, stats map[planner.Plan]*nodeStats, params []types.Datum) {
	// PostgreSQL's layout: a child's title after "->  ", its details two
	// columns right of where that title starts.
	indent := ""
	if depth > 0 {
		indent = strings.Repeat(" ", 6*(depth-1)+2) + "->  "
	}
	detail := strings.Repeat(" ", 6*depth+2)
	add := func(title string, details ...string) {
		if st := stats[p]; st != nil {
			title += fmt.Sprintf(" (actual time=%.3f rows=%d loops=%d)", float64(st.elapsed.Microseconds())/1000, st.rows, st.loops)
			if st.prefilter != "" {
				details = append(details, "Prefilter Rows: "+st.prefilter)
			}
			if st.search != nil {
				details = append(details, fmt.Sprintf("Index Searches: nodes visited=%d, distance computations=%d, rejected by visibility or filter=%d, exact vectors read=%d", st.search.Visited, st.search.Distances, st.search.Rejected, st.search.Exact))
			}
		}
		*lines = append(*lines, indent+title)
		for _, d := range details {
			*lines = append(*lines, detail+d)
		}
	}
	child := func(c planner.Plan) { explainNode(c, depth+1, lines, stats, params) }
	switch n := p.(type) {
	case *planner.Scan:
		var det []string
		if len(n.Lower) > 0 || len(n.Upper) > 0 {
			det = indexDetails(n.Table, n.Table.PrimaryKey, n.Filter, params)
			add(fmt.Sprintf("Index Scan using %s on %s", n.Table.PrimaryKeyName, n.Table.Name), det...)
			return
		}
		if n.Filter != nil {
			det = append(det, "Filter: "+planner.DeparseWithParams(n.Table, n.Filter, params))
		}
		add("Seq Scan on "+n.Table.Name, det...)
	case *planner.VectorScan:
		det := []string{"Order By: " + planner.DeparseWithParams(n.Table, n.Order, params)}
		if n.Filter != nil {
			det = append(det, "Filter: "+planner.DeparseWithParams(n.Table, n.Filter, params))
		}
		if n.Prefilter != nil {
			// The choice is made per execution, by counting the span.
			det = append(det, fmt.Sprintf("Prefilter: Index Scan using %s (exact distances when few rows match)", n.Prefilter.Index.Name))
		}
		add(fmt.Sprintf("Index Scan using %s on %s", n.Index.Name, n.Table.Name), det...)
	case *planner.ExactScan:
		det := []string{"Order By: " + planner.DeparseWithParams(n.Scan.Table, n.Order, params) + " (exact, parallel)"}
		if n.Scan.Filter != nil {
			det = append(det, "Filter: "+planner.DeparseWithParams(n.Scan.Table, n.Scan.Filter, params))
		}
		add("Seq Scan on "+n.Scan.Table.Name, det...)
	case *planner.VirtualScan:
		add("Function Scan on " + n.Table.Name)
	case *planner.SequenceScan:
		add("Seq Scan on " + n.Seq.Name)
	case *planner.IndexScan:
		det := indexDetails(n.Table, n.Index.Columns, n.Filter, params)
		add(fmt.Sprintf("Index Scan using %s on %s", n.Index.Name, n.Table.Name), det...)
	case *planner.ValuesNode:
		if len(n.Rows) == 1 {
			add("Result")
		} else {
			add("Values Scan on \"*VALUES*\"")
		}
	case *planner.FuncScan:
		add("Function Scan")
	case *planner.ProjectSet:
		add("ProjectSet")
		child(n.Input)
	case *planner.WindowNode:
		add("WindowAgg")
		if len(n.Specs) > 1 {
			// PostgreSQL chains one WindowAgg per distinct window.
			child(&planner.WindowNode{Input: n.Input, Specs: n.Specs[:len(n.Specs)-1]})
		} else {
			child(n.Input)
		}
	case *planner.Filter:
		explainNode(n.Input, depth, lines, stats, params)
	case *planner.Project:
		explainNode(n.Input, depth, lines, stats, params)
	case *planner.Join:
		kind := map[planner.JoinKind]string{planner.InnerJoin: "", planner.LeftJoin: " Left Join", planner.RightJoin: " Right Join", planner.FullJoin: " Full Join"}[n.Kind]
		if len(n.LeftKeys) > 0 {
			add("Hash" + kind + map[bool]string{true: " Join", false: ""}[kind == ""])
		} else {
			add("Nested Loop" + kind)
		}
		child(n.Left)
		child(n.Right)
	case *planner.Aggregate:
		if len(n.GroupBy) > 0 {
			add("HashAggregate")
		} else {
			add("Aggregate")
		}
		child(n.Input)
	case *planner.Sort:
		if proj, ok := n.Input.(*planner.Project); ok && n.TopK != nil {
			if _, ok := proj.Input.(*planner.VectorScan); ok {
				// The index scan already returns its k rows in distance
				// order; the sort above it only settles ties among equal
				// distances, so the plan reads as pgvector's does.
				explainNode(n.Input, depth, lines, stats, params)
				return
			}
		}
		if n.TopK != nil {
			add("Sort (top-k)")
		} else {
			add("Sort")
		}
		child(n.Input)
	case *planner.Limit:
		add("Limit")
		child(n.Input)
	case *planner.LockRows:
		add("LockRows")
		child(n.Input)
	case *planner.Distinct:
		if n.On != nil {
			add("Unique") // over its sorted input, as PostgreSQL's DISTINCT ON
		} else {
			add("HashAggregate")
		}
		child(n.Input)
	case *planner.SetOpNode:
		add(map[string]string{"union": "Append", "intersect": "SetOp Intersect", "except": "SetOp Except"}[n.Op])
		child(n.Left)
		child(n.Right)
	case *planner.WithNode:
		// PostgreSQL prints each WITH query as a "CTE name" block after
		// the title and details of the node above it, before its children.
		var in []string
		explainNode(n.Input, depth, &in, stats, params)
		at := 1
		for at < len(in) && strings.HasPrefix(in[at], detail) && !strings.HasPrefix(strings.TrimLeft(in[at], " "), "->") {
			at++
		}
		*lines = append(*lines, in[:at]...)
		for _, c := range n.CTEs {
			*lines = append(*lines, detail+"CTE "+c.Name)
			var sub []string
			explainNode(c.Plan, depth+1, &sub, stats, params)
			for _, l := range sub {
				*lines = append(*lines, "  "+l)
			}
		}
		*lines = append(*lines, in[at:]...)
	case *planner.CTERef:
		if n.CTE.WorkTable {
			add("WorkTable Scan on " + n.CTE.Name)
		} else {
			add("CTE Scan on " + n.CTE.Name)
		}
	case *planner.RecursiveUnion:
		add("Recursive Union")
		child(n.NonRecursive)
		child(n.Recursive)
	case *planner.Insert:
		add("Insert on " + n.Table.Name)
		child(n.Source)
	case *planner.Update:
		add("Update on " + n.Table.Name)
		child(n.Source)
	case *planner.Delete:
		add("Delete on " + n.Table.Name)
		child(n.Source)
	case interface{ Unwrap() planner.Plan }:
		add("Subquery Scan")
		child(n.Unwrap())
	default:
		*lines = append(*lines, indent+fmt.Sprintf("%T", p))
	}
}

// indexDetails are an index scan's "Index Cond" (the conjuncts its key
// range comes from) and "Filter" (the rest, checked per row).
func indexDetails(t *catalog.Table, keyCols []int, filter planner.Expr, params []types.Datum) []string {
	quals, rest := planner.IndexQuals(filter, keyCols)
	var det []string
	if quals != nil {
		det = append(det, "Index Cond: "+planner.DeparseWithParams(t, quals, params))
	}
	if rest != nil {
		det = append(det, "Filter: "+planner.DeparseWithParams(t, rest, params))
	}
	return det
}
