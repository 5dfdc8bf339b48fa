package main

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// fashionMNISTDir is where Debian's dataset-fashion-mnist package puts the
// files (IDX format, gzip-compressed).
const fashionMNISTDir = "/usr/share/datasets/fashion-mnist"

// loadDataset returns base and query vectors of a named data set:
// "fashion-mnist[:dir]" (ann-benchmarks' fashion-mnist-784-euclidean: the
// 60,000 training images as base, the 10,000 test images as queries) or
// "fvecs:base.fvecs,query.fvecs" (the TEXMEX format). n and queries cap
// how many are used (0: all).
func loadDataset(spec string, n, queries int) (base, qs [][]float32, err error) {
	name, arg, _ := strings.Cut(spec, ":")
	switch name {
	case "fashion-mnist":
		dir := arg
		if dir == "" {
			dir = fashionMNISTDir
		}
		if base, err = readIDX(filepath.Join(dir, "train-images-idx3-ubyte.gz"), n); err != nil {
			return nil, nil, err
		}
		if qs, err = readIDX(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), queries); err != nil {
			return nil, nil, err
		}
	case "fvecs":
		b, q, ok := strings.Cut(arg, ",")
		if !ok {
			return nil, nil, errors.New("-data fvecs:BASE,QUERIES needs two files")
		}
		if base, err = readFvecs(b, n); err != nil {
			return nil, nil, err
		}
		if qs, err = readFvecs(q, queries); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("unknown data set %q (fashion-mnist[:DIR], fvecs:BASE,QUERIES)", spec)
	}
	if len(base) == 0 || len(qs) == 0 {
		return nil, nil, fmt.Errorf("data set %q is empty", spec)
	}
	return base, qs, nil
}

// readIDX reads an IDX file of unsigned bytes (magic 0x00000803: count,
// rows, columns, then the pixels) as one vector per image, at most limit
// images (0: all). A plain file is read when it is not gzip-compressed.
func readIDX(path string, limit int) ([][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s (apt-get install dataset-fashion-mnist): %w", path, err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = bufio.NewReader(zr)
	}
	var hdr [4]uint32
	if err := binary.Read(r, binary.BigEndian, &hdr); err != nil {
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	if hdr[0] != 0x803 {
		return nil, fmt.Errorf("%s: not an IDX image file (magic %#x)", path, hdr[0])
	}
	count, dims := int(hdr[1]), int(hdr[2]*hdr[3])
	if limit > 0 && limit < count {
		count = limit
	}
	out := make([][]float32, count)
	buf := make([]byte, dims)
	for i := range out {
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, fmt.Errorf("%s: image %d: %w", path, i, err)
		}
		v := make([]float32, dims)
		for j, b := range buf {
			v[j] = float32(b)
		}
		out[i] = v
	}
	return out, nil
}

// readFvecs reads TEXMEX .fvecs (per vector: little-endian int32 d, then
// d float32), at most limit vectors (0: all).
func readFvecs(path string, limit int) ([][]float32, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var out [][]float32
	for limit == 0 || len(out) < limit {
		var d int32
		if err := binary.Read(r, binary.LittleEndian, &d); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if d <= 0 || d > 1<<16 {
			return nil, fmt.Errorf("%s: bad dimension %d at vector %d", path, d, len(out))
		}
		raw := make([]byte, 4*int(d))
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, fmt.Errorf("%s: vector %d: %w", path, len(out), err)
		}
		v := make([]float32, d)
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*j:]))
		}
		out = append(out, v)
	}
	return out, nil
}
