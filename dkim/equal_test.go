package dkim

import (
	"crypto/ed25519"
	"crypto/rsa"
	"slices"
)

func keyRecordsEqual(a, b *KeyRecord) bool {
	if !slices.Equal(a.HashAlgorithms, b.HashAlgorithms) || a.KeyType != b.KeyType || a.Notes != b.Notes ||
		!slices.Equal(a.Services, b.Services) || a.Testing != b.Testing || a.NoSubdomains != b.NoSubdomains {
		return false
	}
	switch p := a.PublicKey.(type) {
	case nil:
		return b.PublicKey == nil
	case *rsa.PublicKey:
		return p.Equal(b.PublicKey)
	case ed25519.PublicKey:
		return p.Equal(b.PublicKey)
	}
	return false
}
