package secrets

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	ycsdk "github.com/yandex-cloud/go-sdk/v2"
	"github.com/yandex-cloud/go-sdk/v2/pkg/authentication"
	"github.com/yandex-cloud/go-sdk/v2/pkg/endpoints"
	"github.com/yandex-cloud/go-sdk/v2/pkg/options"
	"github.com/yandex-cloud/go-sdk/v2/pkg/transport/middleware/requestid"
	iamsdk "github.com/yandex-cloud/go-sdk/v2/services/iam/v1"
	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/grpclog"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// gRPC logs its own errors and warnings to stderr, where hatchery's users
// read only hatchery's messages; what matters reaches them as call errors.
func init() {
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(io.Discard, io.Discard, io.Discard))
}

// The services hatchery calls, and where Yandex Cloud serves them.
var defaultEndpoints = map[protoreflect.FullName]string{
	"yandex.cloud.lockbox.v1.SecretService":   "lockbox.api.cloud.yandex.net:443",
	"yandex.cloud.lockbox.v1.PayloadService":  "payload.lockbox.api.cloud.yandex.net:443",
	"yandex.cloud.operation.OperationService": "operation.api.cloud.yandex.net:443",
	"yandex.cloud.iam.v1.IamTokenService":     "iam.api.cloud.yandex.net:443",
}

// cloudEndpoints says where every call goes. Yandex Cloud's own addresses
// are the default; HATCHERY_YC_ENDPOINT sends every gRPC call to one
// address instead and HATCHERY_YC_TOKEN_URL moves the token exchange, which
// is how tests reach the simulator. Plain text is used only on loopback.
type cloudEndpoints struct {
	grpc     map[protoreflect.FullName]string
	plain    bool // gRPC without TLS: the one address is on loopback
	tokenURL string
}

// Both variables are set or neither: one alone would mix Yandex Cloud and
// a simulator, e.g. send a real id token to auth.yandex.cloud while Lockbox
// calls go to loopback.
func endpointsFrom(getenv func(string) string) (*cloudEndpoints, error) {
	ep := &cloudEndpoints{grpc: defaultEndpoints, tokenURL: DefaultTokenURL}
	if set, unset := EnvEndpoint, EnvTokenURL; (getenv(set) == "") != (getenv(unset) == "") {
		if getenv(set) == "" {
			set, unset = unset, set
		}
		return nil, fmt.Errorf("%s=%s is set but %s is not: set both, to the same "+
			"simulator or cloud, or neither for Yandex Cloud's own; one alone would "+
			"mix real and simulated endpoints", set, getenv(set), unset)
	}
	if addr := getenv(EnvEndpoint); addr != "" {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host == "" || port == "" {
			return nil, fmt.Errorf("%s=%q: want host:port of a gRPC endpoint", EnvEndpoint, addr)
		}
		ep.grpc = map[protoreflect.FullName]string{}
		for svc := range defaultEndpoints {
			ep.grpc[svc] = addr
		}
		ep.plain = IsLoopback(host)
	}
	if u := getenv(EnvTokenURL); u != "" {
		pu, err := url.Parse(u)
		if err != nil || pu.Host == "" || pu.Scheme != "https" &&
			!(pu.Scheme == "http" && IsLoopback(pu.Hostname())) {
			return nil, fmt.Errorf("%s=%q: want an https URL (http only on loopback)",
				EnvTokenURL, u)
		}
		ep.tokenURL = u
	}
	return ep, nil
}

// buildSDK returns an SDK that resolves every service hatchery calls from
// ep, so nothing asks Yandex Cloud's discovery endpoint, with request ids on
// every error and every call logged at debug level, IAM's included; and the
// recorder of its failures to get an IAM token.
func buildSDK(ctx context.Context, ep *cloudEndpoints, cc *cloudCreds,
	log *slog.Logger) (*ycsdk.SDK, *authRecorder, error) {
	p2e := endpoints.PrefixToEndpoint{}
	for svc, addr := range ep.grpc {
		params := endpoints.NewEndpointParams(addr)
		if ep.plain {
			params.Append(endpoints.Plaintext())
		}
		p2e[svc] = params
	}
	auth := &authRecorder{}
	sdk, err := ycsdk.Build(ctx,
		options.WithCredentials(cc.creds),
		options.WithAuthenticator(auth),
		options.WithEndpointsResolver(endpoints.NewPrefixEndpointsResolver(p2e)),
		options.WithCustomDialOptions(grpc.WithChainUnaryInterceptor(
			debugLog(log), requestid.Interceptor())),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to Yandex Cloud: %w", err)
	}
	// IamTokenService.Create goes through the SDK's own connections, so it
	// is logged like every other call. It needs no IAM token itself.
	auth.inner = authentication.NewAuthenticator(zap.NewNop(), cc.creds,
		iamsdk.NewIamTokenClient(sdk))
	return sdk, auth, nil
}

// debugLog logs each call's method, result, time and request id; never a
// request or an answer. The request id is the x-request-id that the client
// sends and Yandex Cloud keeps for support: debugLog picks it, so that a
// call that succeeds has one in the log too (the SDK's interceptor, further
// in, sends it and names it in errors).
func debugLog(log *slog.Logger) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		id := newRequestID()
		ctx = metadata.AppendToOutgoingContext(ctx, "x-request-id", id)
		start := time.Now()
		err := invoker(ctx, method, req, reply, cc, opts...)
		if log != nil {
			log.Debug("lockbox", "method", method, "code", status.Code(err).String(),
				"request_id", id, "duration", time.Since(start).Round(time.Millisecond))
		}
		return err
	}
}

// newRequestID returns a random UUID (version 4), as Yandex Cloud wants
// request ids.
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// sdkConn lets the generated clients of go-genproto call through the SDK,
// which picks the connection of each method's service.
type sdkConn struct{ sdk *ycsdk.SDK }

// fullName turns /pkg.Service/Method into pkg.Service.Method.
func fullName(method string) protoreflect.FullName {
	return protoreflect.FullName(strings.Replace(strings.TrimPrefix(method, "/"), "/", ".", 1))
}

func (c sdkConn) Invoke(ctx context.Context, method string, args, reply any,
	opts ...grpc.CallOption) error {
	conn, err := c.sdk.GetConnection(ctx, fullName(method), opts...)
	if err != nil {
		return err
	}
	return conn.Invoke(ctx, method, args, reply, opts...)
}

func (c sdkConn) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string,
	opts ...grpc.CallOption) (grpc.ClientStream, error) {
	conn, err := c.sdk.GetConnection(ctx, fullName(method), opts...)
	if err != nil {
		return nil, err
	}
	return conn.NewStream(ctx, desc, method, opts...)
}
