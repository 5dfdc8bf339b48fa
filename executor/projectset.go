package executor

import (
	"github.com/quiverdb/quiver/planner"
	"github.com/quiverdb/quiver/sql/builtins"
	"github.com/quiverdb/quiver/sql/types"
)

func (ec *execCtx) buildProjectSet(n *planner.ProjectSet) (rowIter, error) {
	it := &projectSetIter{ec: ec, width: len(n.Input.Columns())}
	for _, f := range n.Funcs {
		args, err := ec.compileAll(f.Args)
		if err != nil {
			return nil, err
		}
		it.fns = append(it.fns, f.Fn)
		it.args = append(it.args, args)
		// A composite result is its fields followed by the record.
		it.record = append(it.record, len(f.Cols) > 1)
		it.widths = append(it.widths, len(f.Cols))
		it.outWidth += len(f.Cols)
	}
	in, err := ec.build(n.Input)
	if err != nil {
		return nil, err
	}
	it.in = in
	it.gens = make([]func() ([]types.Datum, bool, error), len(n.Funcs))
	return it, nil
}

// projectSetIter extends each input row with its set-returning functions'
// values, zipped (planner.ProjectSet).
type projectSetIter struct {
	ec    *execCtx
	in    rowIter
	width int
	fns   []*builtins.SRFOverload
	args  [][]evalFn
	// record[i] marks a composite function, whose values are followed by
	// the whole row; widths[i] is the number of values function i adds,
	// outWidth their sum.
	record   []bool
	widths   []int
	outWidth int
	// row is the input row being expanded, nil between rows; gens[i] is
	// nil once function i has ended for it.
	row  []types.Datum
	gens []func() ([]types.Datum, bool, error)
	n    int64
}

func (p *projectSetIter) Next() ([]types.Datum, error) {
	for {
		if p.n&1023 == 0 {
			if err := p.ec.ctx.Err(); err != nil {
				return nil, canceled(err)
			}
		}
		p.n++
		if p.row == nil {
			row, err := p.in.Next()
			if err != nil || row == nil {
				return nil, err
			}
			if err := p.start(row); err != nil {
				return nil, err
			}
		}
		out := make([]types.Datum, 0, p.width+p.outWidth)
		out = append(out, p.row[:p.width]...)
		live := false
		for i, gen := range p.gens {
			var vals []types.Datum
			if gen != nil {
				v, done, err := gen()
				if err != nil {
					return nil, err
				}
				if done {
					p.gens[i] = nil
				} else {
					live, vals = true, v
				}
			}
			if !p.record[i] {
				if vals == nil {
					out = append(out, types.Null)
				} else {
					out = append(out, vals[0])
				}
				continue
			}
			if vals == nil {
				for k := 0; k < p.widths[i]; k++ {
					out = append(out, types.Null)
				}
				continue
			}
			out = append(out, vals...)
			out = append(out, types.DTuple(append([]types.Datum(nil), vals...)))
		}
		if live {
			return out, nil
		}
		p.row = nil
	}
}

// start sets up the functions for one input row. A function with a NULL
// argument yields no rows (the set-returning functions are strict).
func (p *projectSetIter) start(row []types.Datum) error {
	p.row = row
	for i, fn := range p.fns {
		p.gens[i] = nil
		vals := make([]types.Datum, len(p.args[i]))
		null := false
		for k, a := range p.args[i] {
			v, err := a(row)
			if err != nil {
				return err
			}
			if types.IsNull(v) {
				null = true
				break
			}
			vals[k] = v
		}
		if null {
			continue
		}
		gen, err := fn.Fn(p.ec.eval, vals)
		if err != nil {
			return err
		}
		p.gens[i] = gen
	}
	return nil
}

func (p *projectSetIter) Close() { p.in.Close() }
