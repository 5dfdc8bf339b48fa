package executor

import (
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/types"
)

// joinIter runs a hash join (when the plan has equality keys) or a nested
// loop join over the right input materialised in memory. Either way memory
// grows with the right input. A lateral join materialises the right input
// anew for each left row, with that row as the innermost outer row.
type joinIter struct {
	ec       *execCtx
	lateral  planner.Plan // the right input, when it is run per left row
	kind     planner.JoinKind
	left     rowIter
	leftKeys []evalFn
	cond     evalFn
	right    [][]types.Datum
	table    map[string][]int // hash join: key -> right row indexes
	matched  []bool           // right rows matched (right/full joins)
	nl, nr   int
	cur      []types.Datum
	cands    []int
	ci       int
	curHit   bool
	tail     int // position while emitting unmatched right rows
	leftDone bool
	keyBuf   []byte
	// keyTypes fold a key pair to one spelling only where both sides are
	// citext: citext = text compares as text, case-sensitively.
	keyTypes  []*types.T
	useHash   bool
	allRights []int
}

func (ec *execCtx) buildJoin(n *planner.Join) (rowIter, error) {
	var right [][]types.Datum
	var err error
	if !n.Lateral {
		if right, err = ec.drain(n.Right); err != nil {
			return nil, err
		}
	}
	j := &joinIter{ec: ec, kind: n.Kind, right: right, nl: len(n.Left.Columns()), nr: len(n.Right.Columns())}
	if n.Lateral {
		j.lateral = n.Right
	}
	if n.Cond != nil {
		if j.cond, err = ec.compile(n.Cond); err != nil {
			return nil, err
		}
	}
	if len(n.LeftKeys) > 0 {
		j.useHash = true
		for i, l := range n.LeftKeys {
			if t := l.Type(); t.Family == types.FamCitext && n.RightKeys[i].Type().Family == types.FamCitext {
				j.keyTypes = append(j.keyTypes, t)
			} else {
				j.keyTypes = append(j.keyTypes, nil)
			}
		}
		if j.leftKeys, err = ec.compileAll(n.LeftKeys); err != nil {
			return nil, err
		}
		rightKeys, err := ec.compileAll(n.RightKeys)
		if err != nil {
			return nil, err
		}
		j.table = make(map[string][]int, len(right))
		vals := make([]types.Datum, len(rightKeys))
		for i, r := range right {
			null := false
			for k, f := range rightKeys {
				if vals[k], err = f(r); err != nil {
					return nil, err
				}
				null = null || types.IsNull(vals[k])
			}
			if null { // NULL keys never join
				continue
			}
			j.keyBuf = appendRowKey(j.keyBuf[:0], vals, j.keyTypes)
			j.table[string(j.keyBuf)] = append(j.table[string(j.keyBuf)], i)
		}
	} else {
		j.allRights = make([]int, len(right))
		for i := range right {
			j.allRights[i] = i
		}
	}
	if n.Kind == planner.RightJoin || n.Kind == planner.FullJoin {
		j.matched = make([]bool, len(right))
	}
	if j.left, err = ec.build(n.Left); err != nil {
		return nil, err
	}
	return j, nil
}

func (j *joinIter) Next() ([]types.Datum, error) {
	for !j.leftDone {
		if j.cur == nil {
			row, err := j.left.Next()
			if err != nil {
				return nil, err
			}
			if row == nil {
				j.leftDone = true
				break
			}
			j.cur, j.ci, j.curHit = row, 0, false
			if j.lateral != nil {
				if err := j.runLateral(row); err != nil {
					return nil, err
				}
			}
			if j.useHash {
				vals := make([]types.Datum, len(j.leftKeys))
				null := false
				for k, f := range j.leftKeys {
					if vals[k], err = f(row); err != nil {
						return nil, err
					}
					null = null || types.IsNull(vals[k])
				}
				j.cands = nil
				if !null {
					j.keyBuf = appendRowKey(j.keyBuf[:0], vals, j.keyTypes)
					j.cands = j.table[string(j.keyBuf)]
				}
			} else {
				j.cands = j.allRights
			}
		}
		for j.ci < len(j.cands) {
			ri := j.cands[j.ci]
			j.ci++
			out := make([]types.Datum, 0, j.nl+j.nr)
			out = append(append(out, j.cur...), j.right[ri]...)
			if j.cond != nil {
				v, err := j.cond(out)
				if err != nil {
					return nil, err
				}
				if !isTrue(v) {
					continue
				}
			}
			j.curHit = true
			if j.matched != nil {
				j.matched[ri] = true
			}
			return out, nil
		}
		cur := j.cur
		j.cur = nil
		if !j.curHit && (j.kind == planner.LeftJoin || j.kind == planner.FullJoin) {
			return append(append(make([]types.Datum, 0, j.nl+j.nr), cur...), nulls(j.nr)...), nil
		}
	}
	if j.matched != nil {
		for j.tail < len(j.right) {
			i := j.tail
			j.tail++
			if !j.matched[i] {
				return append(nulls(j.nl), j.right[i]...), nil
			}
		}
	}
	return nil, nil
}

// runLateral materialises the right input for left row row.
func (j *joinIter) runLateral(row []types.Datum) error {
	ec := j.ec
	ec.outer = append(ec.outer, row)
	right, err := ec.drain(j.lateral)
	ec.outer = ec.outer[:len(ec.outer)-1]
	if err != nil {
		return err
	}
	j.right = right
	j.allRights = j.allRights[:0]
	for i := range right {
		j.allRights = append(j.allRights, i)
	}
	return nil
}

func (j *joinIter) Close() { j.left.Close() }

func nulls(n int) []types.Datum {
	out := make([]types.Datum, n)
	for i := range out {
		out[i] = types.Null
	}
	return out
}
