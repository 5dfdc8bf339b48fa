package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// serverMemory is what /proc says about a local server process, in MiB.
// RSS is anonymous plus file-backed resident memory (a store's mapped
// files count while their pages are resident); PSS is what pgvector's
// reference figure reports for PostgreSQL, whose shared buffers are
// shared memory.
type serverMemory struct {
	Phase   string  `json:"phase"`
	RSSMiB  float64 `json:"rss_mib"`
	PSSMiB  float64 `json:"pss_mib"`
	AnonMiB float64 `json:"anon_mib"`
	FileMiB float64 `json:"file_mib"`
	PeakMiB float64 `json:"peak_rss_mib"`
}

// readServerMemory reads /proc/PID/status and smaps_rollup (Linux); zero
// values where they are unavailable.
func readServerMemory(pid int, phase string) serverMemory {
	m := serverMemory{Phase: phase}
	fields := map[string]*float64{
		"VmRSS:": &m.RSSMiB, "RssAnon:": &m.AnonMiB, "RssFile:": &m.FileMiB, "VmHWM:": &m.PeakMiB, "Pss:": &m.PSSMiB,
	}
	for _, name := range []string{"status", "smaps_rollup"} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/%s", pid, name))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			parts := strings.Fields(sc.Text())
			if len(parts) < 2 {
				continue
			}
			if p, ok := fields[parts[0]]; ok && *p == 0 {
				kb, _ := strconv.ParseFloat(parts[1], 64)
				*p = kb / 1024
			}
		}
		f.Close()
	}
	return m
}

func (m serverMemory) String() string {
	return fmt.Sprintf("server memory %s: RSS %.0f MiB (anon %.0f, file %.0f), PSS %.0f MiB, peak RSS %.0f MiB",
		m.Phase, m.RSSMiB, m.AnonMiB, m.FileMiB, m.PSSMiB, m.PeakMiB)
}

// restart stops the server (SIGTERM, or SIGKILL when kill is set: a crash),
// waits for it to exit, then runs startCmd, which must start the server in
// the background and print its process id as its last line. Ready time
// runs from launching startCmd to the first answered k-NN query, so it
// covers process start, recovery and loading the index.
func restart(ctx context.Context, c config, probe []float32) (pid int, stopSeconds, readySeconds float64, err error) {
	p, err := os.FindProcess(c.serverPID)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("find server: %w", err)
	}
	sig := syscall.SIGTERM
	if c.restartKill {
		sig = syscall.SIGKILL
	}
	stop := time.Now()
	if err := p.Signal(sig); err != nil {
		return 0, 0, 0, fmt.Errorf("signal server: %w", err)
	}
	for syscall.Kill(c.serverPID, 0) == nil {
		if time.Since(stop) > 2*time.Minute {
			return 0, 0, 0, errors.New("server did not exit within 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	stopSeconds = time.Since(stop).Seconds()
	start := time.Now()
	out, err := exec.CommandContext(ctx, "sh", "-c", c.restartCmd).Output()
	if err != nil {
		return 0, 0, 0, fmt.Errorf("restart command: %w", err)
	}
	lines := strings.Fields(string(out))
	if len(lines) > 0 {
		pid, _ = strconv.Atoi(lines[len(lines)-1])
	}
	query := fmt.Sprintf("SELECT id FROM ann_items ORDER BY embedding <-> '%s' LIMIT %d", vecText(probe), c.k)
	for {
		if ctx.Err() != nil {
			return 0, 0, 0, ctx.Err()
		}
		if time.Since(start) > 5*time.Minute {
			return 0, 0, 0, errors.New("server not ready within 5 minutes of restart")
		}
		conn, err := pgx.Connect(ctx, c.dsn)
		if err != nil {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		rows, err := conn.Query(ctx, query)
		n := 0
		if err == nil {
			for rows.Next() {
				n++
			}
			err = rows.Err()
		}
		conn.Close(ctx)
		if err == nil && n > 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	return pid, stopSeconds, time.Since(start).Seconds(), nil
}
