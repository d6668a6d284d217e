package lockboxsim

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"
)

// HTTP/2 frame types and the GOAWAY code that keepalive enforcement uses.
const (
	frameSettings    = 0x4
	framePing        = 0x6
	frameGoAway      = 0x7
	enhanceYourCalm  = 0xb
	flagAck          = 0x1
	http2Preface     = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	http2FrameHeader = 9
)

func writeFrame(c net.Conn, typ, flags byte, payload []byte) error {
	h := make([]byte, http2FrameHeader)
	h[0], h[1], h[2] = byte(len(payload)>>16), byte(len(payload)>>8), byte(len(payload))
	h[3], h[4] = typ, flags
	_, err := c.Write(append(h, payload...))
	return err
}

// TestKeepalivePingsAccepted sends keepalive pings, without a call in
// flight, as often as the server allows (scaled down from go-sdk's 30 s),
// more times than gRPC forgives, and wants no GOAWAY too_many_pings.
func TestKeepalivePingsAccepted(t *testing.T) {
	s := New()
	s.pingEvery = 50 * time.Millisecond
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	c, err := net.Dial("tcp", s.GRPCAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, http2Preface)
	writeFrame(c, frameSettings, 0, nil)

	goAway := make(chan uint32, 1)
	go func() { // read frames until GOAWAY or the connection ends
		h := make([]byte, http2FrameHeader)
		for {
			if _, err := io.ReadFull(c, h); err != nil {
				return
			}
			n := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
			body := make([]byte, n)
			if _, err := io.ReadFull(c, body); err != nil {
				return
			}
			if h[3] == frameGoAway && n >= 8 {
				goAway <- binary.BigEndian.Uint32(body[4:8])
				return
			}
		}
	}()
	for i := range 6 {
		time.Sleep(2 * s.pingEvery)
		if err := writeFrame(c, framePing, 0, []byte{0, 0, 0, 0, 0, 0, 0, byte(i)}); err != nil {
			t.Fatalf("ping %d: %v", i, err)
		}
	}
	select {
	case code := <-goAway:
		t.Fatalf("server sent GOAWAY with code %#x (0xb is ENHANCE_YOUR_CALM)", code)
	case <-time.After(4 * s.pingEvery):
	}
}
