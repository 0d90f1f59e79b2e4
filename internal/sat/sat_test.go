package sat

import (
	"math"
	"testing"
)

func TestAdd(t *testing.T) {
	tests := []struct {
		name       string
		a, b, want uint64
	}{
		{"zero", 0, 0, 0},
		{"small", 2, 3, 5},
		{"exactly the largest", math.MaxUint64 - 1, 1, math.MaxUint64},
		{"one past the largest saturates", math.MaxUint64, 1, math.MaxUint64},
		{"both largest", math.MaxUint64, math.MaxUint64, math.MaxUint64},
		{"order does not matter", 1, math.MaxUint64, math.MaxUint64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Add(tt.a, tt.b); got != tt.want {
				t.Errorf("Add(%d, %d) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestAddTo(t *testing.T) {
	var m map[string]uint64
	AddTo(&m, "a", 2)
	AddTo(&m, "a", math.MaxUint64-1)
	AddTo(&m, "a", 5)
	AddTo(&m, "b", 3)
	if m["a"] != math.MaxUint64 || m["b"] != 3 || len(m) != 2 {
		t.Errorf("AddTo: %v, want a saturated and b=3", m)
	}
}
