package dkim

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// ErrNoPrivateKey is wrapped by ParsePrivateKeyPEM's errors: the data holds
// no private key it can use.
var ErrNoPrivateKey = errors.New("dkim: no usable private key")

// ParsePrivateKeyPEM reads the first PEM block of data as a private key:
// PKCS #8 ("PRIVATE KEY", RSA or Ed25519) or PKCS #1 ("RSA PRIVATE KEY"),
// the forms GenerateRSAKey's and GenerateEd25519Key's keys are kept in. Its errors wrap ErrNoPrivateKey
// and name the block's type where it has one.
func ParsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block; want a private key in PEM form", ErrNoPrivateKey)
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a private key", ErrNoPrivateKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoPrivateKey, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrNoPrivateKey, key)
	}
	return signer, nil
}

// MarshalPrivateKeyPEM writes key as a PKCS #8 "PRIVATE KEY" PEM block,
// which ParsePrivateKeyPEM reads back.
func MarshalPrivateKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("dkim: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
