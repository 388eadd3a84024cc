#!/usr/bin/env bash
# The PKI of `cargo xtask bench` (crates/sanstls/benches/versus.rs): for each key type a
# self-signed root CA and a leaf for "localhost" it signed, as DER, so the benchmark needs
# no PEM parser. Run with `cargo xtask pki-fixtures bench`.
#
# Outputs (overwritten):
#   rsa-ca.der, rsa.der, rsa.key.der        RSA-2048 root and leaf (SHA-256 signatures)
#   ecdsa-ca.der, ecdsa.der, ecdsa.key.der  EC P-256 root and leaf (ECDSA-SHA256)
#   p521-ca.der, p521.der, p521.key.der     EC P-521 root and leaf (ECDSA-SHA512), for the
#                                           secp521r1 / ecdsa_secp521r1_sha512 tests
# Keys are PKCS#8 DER. Validity: 100 years from when the script runs.
set -euo pipefail

rm -f ./*.der ./*.pem ./*.cnf ./*.srl

cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
[leaf]
basicConstraints = CA:false
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost
CNF

for kind in rsa ecdsa p521; do
  md=-sha256
  case $kind in
    rsa) newkey=(-newkey rsa:2048) ;;
    ecdsa) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
    p521) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-521); md=-sha512 ;;
  esac
  openssl req -x509 -days 36500 -nodes "${newkey[@]}" $md \
    -subj "/CN=sanstls bench $kind CA" -extensions ca -config <(printf '[req]\ndistinguished_name=dn\n[dn]\n'; cat ext.cnf) \
    -keyout $kind-ca.key.pem -out $kind-ca.pem 2>/dev/null
  openssl req -new -nodes "${newkey[@]}" -subj "/CN=localhost" \
    -keyout $kind.key.pem -out $kind.csr.pem 2>/dev/null
  openssl x509 -req -days 36500 $md -in $kind.csr.pem -CA $kind-ca.pem -CAkey $kind-ca.key.pem \
    -set_serial 2 -extfile ext.cnf -extensions leaf -out $kind.pem 2>/dev/null
  openssl x509 -in $kind-ca.pem -outform DER -out $kind-ca.der
  openssl x509 -in $kind.pem -outform DER -out $kind.der
  openssl pkcs8 -topk8 -nocrypt -in $kind.key.pem -outform DER -out $kind.key.der
done
rm -f ./*.pem ext.cnf
