#!/usr/bin/env bash
# OCSP fixtures: a CA, a leaf, a delegated responder, and responses made by `openssl ocsp`
# (good, revoked, unknown, by the CA itself and by the delegated responder, SHA-1 and
# SHA-256 CertIDs), plus a response signed by an unrelated key. `now.txt` holds a Unix time
# inside every response's validity window for the tests to verify at.
set -euo pipefail
rm -rf work && mkdir work
cat > work/ext.cnf <<'CNF'
[ca]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:ocsp-leaf.example
authorityInfoAccess = OCSP;URI:http://127.0.0.1:8888
[responder]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = OCSPSigning
CNF
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
key ca.key; key leaf.key; key responder.key; key other.key
openssl req -x509 -new -key ca.key -subj "/CN=sanstls OCSP test CA" -days 3650 \
    -extensions ca -config work/ext.cnf -out ca.pem
openssl req -x509 -new -key other.key -subj "/CN=sanstls OCSP unrelated CA" -days 3650 \
    -extensions ca -config work/ext.cnf -out other.pem
sign() { # sign NAME SUBJECT EXT SERIAL
    openssl req -new -key "$1.key" -subj "$2" -out "work/$1.csr"
    openssl x509 -req -in "work/$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$4" -days 3650 \
        -extfile work/ext.cnf -extensions "$3" -out "$1.pem" 2>/dev/null
}
sign leaf "/CN=ocsp-leaf.example" leaf 0x1001
sign responder "/CN=sanstls OCSP responder" responder 0x1002
cp leaf.pem revoked.pem
# The index: the leaf is good under one index and revoked under the other.
expiry=$(date -u -d '+10 years' +%y%m%d%H%M%SZ)
revoked_at=$(date -u -d '-1 day' +%y%m%d%H%M%SZ)
subject="/CN=ocsp-leaf.example"
printf 'V\t%s\t\t1001\tunknown\t%s\n' "$expiry" "$subject" > work/good.idx
printf 'R\t%s\t%s,keyCompromise\t1001\tunknown\t%s\n' "$expiry" "$revoked_at" "$subject" > work/revoked.idx
printf 'V\t%s\t\t9999\tunknown\t/CN=someone else\n' "$expiry" > work/unknown.idx
respond() { # respond OUT INDEX SIGNER_CERT SIGNER_KEY DIGEST [extra...]
    local out=$1 idx=$2 cert=$3 rkey=$4 digest=$5; shift 5
    openssl ocsp -issuer ca.pem "-$digest" -cert leaf.pem -no_nonce -reqout "work/$out.req" 2>/dev/null
    openssl ocsp -index "$idx" -CA ca.pem -rsigner "$cert" -rkey "$rkey" -reqin "work/$out.req" \
        -respout "$out.der" -ndays 7 "$@" 2>/dev/null
}
respond good-by-ca work/good.idx ca.pem ca.key sha1
respond good-sha256 work/good.idx ca.pem ca.key sha256
respond revoked work/revoked.idx ca.pem ca.key sha1
respond unknown work/unknown.idx ca.pem ca.key sha1
respond good-by-responder work/good.idx responder.pem responder.key sha1
respond good-by-key work/good.idx ca.pem ca.key sha1 -resp_key_id
# Signed by a key the CA never certified (its certificate is embedded in the response).
respond good-by-stranger work/good.idx other.pem other.key sha1
# Not "successful": an OCSPResponse with status internalError, no body (RFC 6960 s4.2.1).
printf '\x30\x03\x0a\x01\x02' > internal-error.der
date -u +%s > now.txt
rm -rf work ca.key leaf.key responder.key other.key revoked.pem
