package plugin

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The plugin's side of a stream learns the deadline from gRPC and may end
// the stream a moment before the host's timer fires; that cancellation is
// the timeout, not a plugin failure.
func TestCancelJustBeforeDeadlineIsTimeout(t *testing.T) {
	c := &Client{name: "p", cfg: Config{ScanTimeout: 300 * time.Millisecond}}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := c.callError(ctx, "scan", status.Error(codes.Canceled, "stream terminated by RST_STREAM with error code: CANCEL"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v; want a timeout", err)
	}
}
