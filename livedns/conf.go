package livedns

import (
	"bufio"
	"io"
	"net"
	"os"
	"strings"
)

// resolvConf is the file SystemServers reads.
const resolvConf = "/etc/resolv.conf"

// maxResolvConf bounds how much of it is read.
const maxResolvConf = 64 << 10

// SystemServers returns the name servers of /etc/resolv.conf, each as
// "host:53", in the file's order. When the file cannot be read or names
// none, it returns the local server, "127.0.0.1:53" and "[::1]:53", as the
// C library and the Go resolver do, with the error reading it if any.
func SystemServers() ([]string, error) {
	f, err := os.Open(resolvConf)
	if err != nil {
		return defaultServers(), err
	}
	defer f.Close()
	servers := parseResolvConf(io.LimitReader(f, maxResolvConf))
	if len(servers) == 0 {
		return defaultServers(), nil
	}
	return servers, nil
}

func defaultServers() []string { return []string{"127.0.0.1:53", "[::1]:53"} }

// parseResolvConf returns the addresses of the nameserver lines.
func parseResolvConf(r io.Reader) []string {
	var servers []string
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			servers = append(servers, serverAddr(fields[1]))
		}
	}
	return servers
}

// serverAddr adds port 53 to a bare host or address.
func serverAddr(s string) string {
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s
	}
	return net.JoinHostPort(strings.TrimSuffix(strings.Trim(s, "[]"), "."), "53")
}
