package secrets

import (
	"net"
	"strings"
)

// IsLoopback reports whether host names this machine without asking a
// resolver: "localhost" in any case, or a loopback address, bracketed or
// not. Plain-text transport (http, insecure gRPC) is allowed only to such a
// host, so a token never crosses a network unencrypted.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
