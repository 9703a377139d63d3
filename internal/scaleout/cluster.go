// Package scaleout holds the tests of the scale-out deployment: a 3-node
// NATS cluster configured from deploy/nats (TLS with client verification,
// per-service users and permissions, JetStream R3) with SlotWise services
// connecting to it as `slotwise serve` does. The suite is heavy; it runs
// only with SLOTWISE_SCALEOUT=1 (.ci/run has its own line for it).
package scaleout

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Services lists the service users of deploy/nats/accounts.conf.
var Services = []string{"auth", "business", "scheduling", "payment", "notification"}

// Password returns the test password of a NATS user (the cluster's
// NATS_PASSWORD_<USER> variables are set to these).
func Password(user string) string { return "pw-" + user + "-test" }

// PasswordEnv returns the environment variables accounts.conf reads:
// NATS_PASSWORD_<USER> for every service, ops and sys.
func PasswordEnv() map[string]string {
	env := map[string]string{}
	for _, u := range append(append([]string{}, Services...), "ops", "sys") {
		env["NATS_PASSWORD_"+strings.ToUpper(u)] = Password(u)
	}
	return env
}

// PKI is a test certificate authority with a server certificate for
// 127.0.0.1 (server and client auth, as the routes need) and a client
// certificate, all as PEM files in Dir.
type PKI struct {
	Dir                   string
	CAFile                string
	ServerCert, ServerKey string
	ClientCert, ClientKey string
	caCert                *x509.Certificate
	caKey                 *ecdsa.PrivateKey
}

// NewPKI generates a CA and its certificates into dir (ca.crt, server.crt,
// server.key, client.crt, client.key: the names nats-prod.conf expects).
func NewPKI(dir string) (*PKI, error) {
	p := &PKI{Dir: dir, CAFile: filepath.Join(dir, "ca.crt"),
		ServerCert: filepath.Join(dir, "server.crt"), ServerKey: filepath.Join(dir, "server.key"),
		ClientCert: filepath.Join(dir, "client.crt"), ClientKey: filepath.Join(dir, "client.key")}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "slotwise test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	if p.caCert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	p.caKey = key
	if err := writePEM(p.CAFile, "CERTIFICATE", der); err != nil {
		return nil, err
	}
	both := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	if err := p.Issue("nats", both, p.ServerCert, p.ServerKey); err != nil {
		return nil, err
	}
	return p, p.Issue("slotwise-client", []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, p.ClientCert, p.ClientKey)
}

// Issue writes a certificate signed by the CA (for 127.0.0.1 and
// localhost) and its key.
func (p *PKI) Issue(cn string, usage []x509.ExtKeyUsage, certFile, keyFile string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: usage,
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.caCert, &key.PublicKey, p.caKey)
	if err != nil {
		return err
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	if err := writePEM(certFile, "CERTIFICATE", der); err != nil {
		return err
	}
	return writePEM(keyFile, "EC PRIVATE KEY", kder)
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

// Node is one configured cluster node.
type Node struct {
	Name       string
	ClientPort int
	RoutePort  int
	ConfFile   string
	StoreDir   string
}

// ClientURL is the node's client URL.
func (n Node) ClientURL() string { return fmt.Sprintf("tls://127.0.0.1:%d", n.ClientPort) }

// WriteClusterConfigs turns deploy/nats/nats-prod.conf into one config per
// node under dir, changing only the node-specific parts: server name,
// loopback ports, routes, the store directory and the certificate paths
// (pki.Dir). accounts.conf is copied beside them unchanged.
func WriteClusterConfigs(deployDir, dir string, pki *PKI, nodes int) ([]Node, error) {
	prod, err := os.ReadFile(filepath.Join(deployDir, "nats-prod.conf"))
	if err != nil {
		return nil, err
	}
	accounts, err := os.ReadFile(filepath.Join(deployDir, "accounts.conf"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "accounts.conf"), accounts, 0o600); err != nil {
		return nil, err
	}
	ns := make([]Node, nodes)
	ports, err := freePorts(2 * nodes)
	if err != nil {
		return nil, err
	}
	var routes strings.Builder
	for i := range ns {
		ns[i] = Node{Name: fmt.Sprintf("nats-%d", i+1), ClientPort: ports[2*i], RoutePort: ports[2*i+1],
			ConfFile: filepath.Join(dir, fmt.Sprintf("nats-%d.conf", i+1)), StoreDir: filepath.Join(dir, fmt.Sprintf("store-%d", i+1))}
		fmt.Fprintf(&routes, "    nats-route://127.0.0.1:%d\n", ns[i].RoutePort)
	}
	routeBlock := regexp.MustCompile(`(?s)routes = \[\n.*?\n  \]`)
	for _, n := range ns {
		conf := string(prod)
		for _, r := range []struct{ re, with string }{
			{`(?m)^server_name: \$NATS_SERVER_NAME$`, "server_name: " + n.Name},
			{`(?m)^port: 4222$`, fmt.Sprintf("port: %d", n.ClientPort)},
			{`(?m)^http_port: 8222$`, "# http_port: none in the test"},
			{`listen: 0\.0\.0\.0:6222`, fmt.Sprintf("listen: 127.0.0.1:%d", n.RoutePort)},
			{`/etc/nats/certs/`, pki.Dir + "/"},
			{`/data/jetstream`, n.StoreDir},
		} {
			re := regexp.MustCompile(r.re)
			if !re.MatchString(conf) {
				return nil, fmt.Errorf("nats-prod.conf: %q not found", r.re)
			}
			conf = re.ReplaceAllLiteralString(conf, r.with)
		}
		if !routeBlock.MatchString(conf) {
			return nil, fmt.Errorf("nats-prod.conf: routes block not found")
		}
		conf = routeBlock.ReplaceAllLiteralString(conf, "routes = [\n"+routes.String()+"  ]")
		if err := os.WriteFile(n.ConfFile, []byte(conf), 0o600); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

// StartNode starts a node in-process from its config file; the
// NATS_PASSWORD_* variables must be set (PasswordEnv).
func StartNode(n Node) (*server.Server, error) {
	opts, err := server.ProcessConfigFile(n.ConfFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.ConfFile, err)
	}
	opts.NoSigs, opts.NoLog = true, true
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.Name, err)
	}
	s.Start()
	if !s.ReadyForConnections(30 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("%s: not ready within 30s", n.Name)
	}
	return s, nil
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports, nil
}
