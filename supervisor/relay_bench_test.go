//go:build unix

package supervisor

import (
	"bytes"
	"io"
	"os"
	"testing"

	"runp/pty"
)

// relayChunk is how much one benchmark op pumps through the PTY.
const relayChunk = 8 << 20

// BenchmarkRelayPTY pumps relayChunk bytes of text per op through a real PTY
// pair (runp's pty.Open, output post-processing off as when runp's stdout
// is a pipe) and the stream that relays the master, into io.Discard. Each op
// is one stream's whole life, from start to the EIO that ends it, as in a
// run of runp. The writer is a goroutine of this process, so the number is
// the relay's ceiling; bench/compare.sh measures it with a real cat.
func BenchmarkRelayPTY(b *testing.B) {
	line := []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_=+!@#$%^&*()\n")
	block := bytes.Repeat(line, (64<<10)/len(line))
	b.SetBytes(relayChunk)
	for b.Loop() {
		master, slave, err := pty.Open()
		if err != nil {
			b.Fatal(err)
		}
		if err := pty.RawOutput(slave); err != nil {
			b.Fatal(err)
		}
		cw := &countWriter{w: io.Discard}
		s := startStream(master, cw, &activity{}, streamHooks{})
		werr := make(chan error, 1)
		go func() { werr <- pump(slave, block, relayChunk) }()
		if err := <-werr; err != nil {
			b.Fatal(err)
		}
		<-s.done           // EIO once the slave is closed and drained
		_ = master.Close() // best effort: the stream has ended
		if s.err != nil || cw.n != relayChunk {
			b.Fatalf("relayed %d of %d bytes, err %v", cw.n, relayChunk, s.err)
		}
	}
}

// pump writes n bytes to slave in block-sized writes, then closes it.
func pump(slave *os.File, block []byte, n int) error {
	for n > 0 {
		k := min(n, len(block))
		if _, err := slave.Write(block[:k]); err != nil {
			_ = slave.Close() // best effort: the write error is the one to report
			return err
		}
		n -= k
	}
	return slave.Close()
}

// countWriter counts what the stream delivers, to check nothing was lost.
type countWriter struct {
	w io.Writer
	n int
}

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return c.w.Write(p)
}
