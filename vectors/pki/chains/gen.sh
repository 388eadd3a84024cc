#!/usr/bin/env bash
# Chains, CRLs and verification cases for sanstls-pki's verify module (issue 6).
#
# Run with this directory as cwd (`cargo xtask pki-fixtures chains`). Every certificate is
# issued by `openssl ca` with a fixed validity window, so the cases hold at the instant in
# now.txt whatever day the tests run; the windows are also wide enough (2020-2040, the
# expired and not-yet-valid ones outside) that they hold at the real time until 2040, for
# the Node test, which cannot set the clock. Keys are regenerated on each run (file names are
# fixed); only the end-entity keys are kept (*-leaf.key.pem, for the Node test's servers).
#
# cases.txt lists one verification per line:
#   name  cert  untrusted  ca  crls  purpose  expected-code  depth
# (comma-separated file lists, `-` for none; `OK` with depth `-` for a good chain). The
# expected codes are OpenSSL 3.0's first error from
#   openssl verify -attime $(cat now.txt) -verify_depth 8 -purpose ssl{server,client}
#     -CAfile CA [-untrusted U] [-crl_check -CRLfile C] CERT
# (tests/verify_openssl.rs re-runs it) named as Node names them.
set -euo pipefail
umask 077

rm -f ./*.pem ./*.der cases.txt now.txt
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 2026-06-01T00:00:00Z: inside every "good" window below.
echo 1780272000 > now.txt

# shellcheck source=../lib.sh
source ../lib.sh
ca_setup supplied



CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
EE_EXT='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
EE_EC_EXT='basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
SAN='\nsubjectAltName=DNS:www.example.com'

# --- RSA: root -> int -> leaf, int -> int2 -> leaf2 -------------------------------------
key rsa-root rsa; cert rsa-root rsa-root "RSA Root" - $CA_START $CA_END "$CA_EXT"
key rsa-int rsa; cert rsa-int rsa-int "RSA Int" rsa-root $CA_START $CA_END "$CA_EXT"
key rsa-leaf rsa; cert rsa-leaf rsa-leaf "www.example.com" rsa-int $EE_START $EE_END "$EE_EXT$SAN"
key rsa-int2 rsa; cert rsa-int2 rsa-int2 "RSA Int 2" rsa-int $CA_START $CA_END "$CA_EXT"
cert rsa-leaf2 rsa-leaf "www.example.com" rsa-int2 $EE_START $EE_END "$EE_EXT$SAN"
cert rsa-pss-leaf rsa-leaf "www.example.com" rsa-int $EE_START $EE_END "$EE_EXT$SAN" \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
cert rsa-client rsa-leaf "client" rsa-int $EE_START $EE_END \
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth'
cert rsa-noeku rsa-leaf "www.example.com" rsa-int $EE_START $EE_END \
  "basicConstraints=CA:FALSE$SAN"
# The same "RSA Int" name and key, cross-signed by the P-256 root: an alternate path.
key p256-root p256; cert p256-root p256-root "P-256 Root" - $CA_START $CA_END "$CA_EXT"
cert rsa-int-cross rsa-int "RSA Int" p256-root $CA_START $CA_END "$CA_EXT"

# --- ECDSA and Ed25519 ------------------------------------------------------------------
key p256-int p256; cert p256-int p256-int "P-256 Int" p256-root $CA_START $CA_END "$CA_EXT"
key p256-leaf p256; cert p256-leaf p256-leaf "www.example.com" p256-int $EE_START $EE_END "$EE_EC_EXT$SAN"
key p384-root p384; cert p384-root p384-root "P-384 Root" - $CA_START $CA_END "$CA_EXT"
key p384-leaf p384; cert p384-leaf p384-leaf "www.example.com" p384-root $EE_START $EE_END "$EE_EC_EXT$SAN"
key ed-root ed25519; cert ed-root ed-root "Ed25519 Root" - $CA_START $CA_END "$CA_EXT"
key ed-leaf ed25519; cert ed-leaf ed-leaf "www.example.com" ed-root $EE_START $EE_END "$EE_EC_EXT$SAN"

# --- Bad leaves under rsa-int -----------------------------------------------------------
cert expired rsa-leaf "www.example.com" rsa-int 20200101000000Z 20210101000000Z "$EE_EXT$SAN"
cert not-yet-valid rsa-leaf "www.example.com" rsa-int 20410101000000Z 20420101000000Z "$EE_EXT$SAN"
cert self-signed rsa-leaf "www.example.com" - $EE_START $EE_END "$EE_EXT$SAN"
cert client-only rsa-leaf "www.example.com" rsa-int $EE_START $EE_END \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth$SAN"
cert critical-ext rsa-leaf "www.example.com" rsa-int $EE_START $EE_END \
  "$EE_EXT$SAN\n1.3.6.1.4.1.55555.1=critical,ASN1:NULL"
# A copy of rsa-leaf with the last byte of its signature flipped.
openssl x509 -in rsa-leaf.pem -outform DER -out "$WORK/bad.der"
python3 - "$WORK/bad.der" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[-1] ^= 1
open(p, 'wb').write(bytes(b))
PY
openssl x509 -inform DER -in "$WORK/bad.der" -out bad-signature.pem

cert any-eku rsa-leaf "www.example.com" rsa-int $EE_START $EE_END \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=anyExtendedKeyUsage$SAN"

# --- Two CAs that issued each other (Loop A <-> Loop B): path building must stop ---------
key loop-a rsa; key loop-b rsa
cert loop-a0 loop-a "Loop A" - $CA_START $CA_END "$CA_EXT"
cert loop-b loop-b "Loop B" loop-a0 $CA_START $CA_END "$CA_EXT"
cert loop-a loop-a "Loop A" loop-b $CA_START $CA_END "$CA_EXT"
cert loop-leaf rsa-leaf "www.example.com" loop-a $EE_START $EE_END "$EE_EXT$SAN"
rm loop-a0.pem

# --- Bad CAs ----------------------------------------------------------------------------
key bad-ca rsa
cert no-certsign-int bad-ca "No CertSign Int" rsa-root $CA_START $CA_END \
  'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,cRLSign'
cert no-certsign-leaf rsa-leaf "www.example.com" no-certsign-int $EE_START $EE_END "$EE_EXT$SAN"
cert not-ca-int bad-ca "Not CA Int" rsa-root $CA_START $CA_END 'basicConstraints=critical,CA:FALSE'
cert not-ca-leaf rsa-leaf "www.example.com" not-ca-int $EE_START $EE_END "$EE_EXT$SAN"
cert pathlen0-int bad-ca "Pathlen0 Int" rsa-root $CA_START $CA_END \
  'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign'
key sub-ca rsa
cert pathlen0-sub sub-ca "Pathlen0 Sub" pathlen0-int $CA_START $CA_END "$CA_EXT"
cert pathlen0-leaf rsa-leaf "www.example.com" pathlen0-sub $EE_START $EE_END "$EE_EXT$SAN"

cert no-crlsign-int bad-ca "No CRLSign Int" rsa-root $CA_START $CA_END \
  'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
cert no-crlsign-leaf rsa-leaf "www.example.com" no-crlsign-int $EE_START $EE_END "$EE_EXT$SAN"

# --- Name constraints -------------------------------------------------------------------
cert nc-int bad-ca "NC Int" rsa-root $CA_START $CA_END \
  "$CA_EXT\nnameConstraints=critical,permitted;DNS:good.example,permitted;IP:10.0.0.0/255.0.0.0,permitted;email:good.example,permitted;URI:.good.example,excluded;DNS:bad.good.example"
cert nc-ok rsa-leaf "www.good.example" nc-int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=DNS:www.good.example,IP:10.1.2.3,email:a@good.example,URI:https://www.good.example/x"
cert nc-dns-permitted rsa-leaf "www.good.example" nc-int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=DNS:www.good.example,DNS:www.other.example"
cert nc-dns-excluded rsa-leaf "www.good.example" nc-int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=DNS:x.bad.good.example"
cert nc-ip-permitted rsa-leaf "www.good.example" nc-int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=DNS:www.good.example,IP:192.168.1.1"
cert nc-email-permitted rsa-leaf "www.good.example" nc-int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=DNS:www.good.example,email:a@other.example"
cert nc-uri-permitted rsa-leaf "www.good.example" nc-int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=DNS:www.good.example,URI:https://www.other.example/"
cert nc-cn-permitted rsa-leaf "www.other.example" nc-int $EE_START $EE_END "$EE_EXT"

# directoryName: subjects must be under O=Good Org.
cert nc-dn-int bad-ca "NC DN Int" rsa-root $CA_START $CA_END \
  "$CA_EXT\nnameConstraints=critical,permitted;dirName:dn_good\n[ dn_good ]\nO=Good Org"
cert nc-dn-ok rsa-leaf "/O=Good Org/CN=www.example.com" nc-dn-int $EE_START $EE_END "$EE_EXT$SAN"
cert nc-dn-permitted rsa-leaf "/O=Bad Org/CN=www.example.com" nc-dn-int $EE_START $EE_END "$EE_EXT$SAN"

# --- A chain longer than the depth limit (9 intermediates, one key) ---------------------
key long rsa
prev=rsa-root
for i in 1 2 3 4 5 6 7 8 9; do
  cert "long-int$i" long "Long Int $i" "$prev" $CA_START $CA_END "$CA_EXT"
  prev="long-int$i"
done
cert long-leaf rsa-leaf "www.example.com" long-int9 $EE_START $EE_END "$EE_EXT$SAN"
cat long-int{9,8,7,6,5,4,3,2,1}.pem > long-chain.pem
for i in 1 2 3 4 5 6 7 8 9; do rm "long-int$i.pem"; done

# --- CRLs issued by rsa-int -------------------------------------------------------------
crl() { # crl NAME ISSUER LAST NEXT [revoked-cert...]
  local name=$1 issuer=$2 last=$3 next=$4
  shift 4
  : > "$WORK/index.txt"
  local c
  for c in "$@"; do
    local ser exp subj
    ser=$(openssl x509 -in "$c.pem" -noout -serial | cut -d= -f2)
    exp=$(date -u -d "$(openssl x509 -in "$c.pem" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
    subj=$(openssl x509 -in "$c.pem" -noout -subject -nameopt compat | sed 's/^subject=//')
    printf 'R\t%s\t200101000000Z\t%s\tunknown\t%s\n' "$exp" "$ser" "$subj" >> "$WORK/index.txt"
  done
  echo 01 > "$WORK/crlnumber"
  openssl ca -batch -config "$WORK/ca.cnf" -gencrl -keyfile "${KEYOF[$issuer]}.key.pem" -cert "$issuer.pem" \
    -crl_lastupdate "$last" -crl_nextupdate "$next" -crlexts crl_ext -md sha256 -out "$name.pem" 2>/dev/null
}
crl crl-revokes-leaf rsa-int 20200101000000Z 20400101000000Z rsa-leaf
crl crl-empty rsa-int 20200101000000Z 20400101000000Z expired
crl crl-expired rsa-int 20200101000000Z 20210101000000Z
crl crl-not-yet-valid rsa-int 20410101000000Z 20420101000000Z
crl crl-root rsa-root 20200101000000Z 20400101000000Z
crl crl-no-crlsign no-crlsign-int 20200101000000Z 20400101000000Z
openssl crl -in crl-empty.pem -outform DER -out "$WORK/badcrl.der"
python3 - "$WORK/badcrl.der" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[-1] ^= 1
open(p, 'wb').write(bytes(b))
PY
openssl crl -inform DER -in "$WORK/badcrl.der" -out crl-bad-signature.pem
openssl crl -in crl-revokes-leaf.pem -outform DER -out crl-revokes-leaf.der

# The CA keys are not needed by the tests; the end-entity keys are (Node's servers).
for k in ./*.key.pem; do
  case "$k" in ./rsa-leaf.key.pem|./p256-leaf.key.pem|./p384-leaf.key.pem|./ed-leaf.key.pem) ;; *) rm -f "$k" ;; esac
done

cat > cases.txt <<'CASES'
# name cert untrusted ca crls purpose expected-code depth
rsa cert:rsa-leaf.pem rsa-int.pem rsa-root.pem - server OK -
rsa-two-intermediates rsa-leaf2.pem rsa-int2.pem,rsa-int.pem rsa-root.pem - server OK -
rsa-pss rsa-pss-leaf.pem rsa-int.pem rsa-root.pem - server OK -
rsa-no-eku rsa-noeku.pem rsa-int.pem rsa-root.pem - server OK -
rsa-cross-signed rsa-leaf.pem rsa-int-cross.pem,rsa-int.pem rsa-root.pem - server OK -
p256 p256-leaf.pem p256-int.pem p256-root.pem - server OK -
p384 p384-leaf.pem - p384-root.pem - server OK -
ed25519 ed-leaf.pem - ed-root.pem - server OK -
client rsa-client.pem rsa-int.pem rsa-root.pem - client OK -
expired expired.pem rsa-int.pem rsa-root.pem - server CERT_HAS_EXPIRED 0
not-yet-valid not-yet-valid.pem rsa-int.pem rsa-root.pem - server CERT_NOT_YET_VALID 0
self-signed self-signed.pem - rsa-root.pem - server DEPTH_ZERO_SELF_SIGNED_CERT 0
untrusted-root rsa-leaf.pem rsa-int.pem,rsa-root.pem p256-root.pem - server SELF_SIGNED_CERT_IN_CHAIN 2
missing-intermediate rsa-leaf.pem - rsa-root.pem - server UNABLE_TO_GET_ISSUER_CERT_LOCALLY 0
missing-root rsa-leaf.pem rsa-int.pem p256-root.pem - server UNABLE_TO_GET_ISSUER_CERT_LOCALLY 1
intermediate-anchor rsa-leaf.pem - rsa-int.pem - server UNABLE_TO_GET_ISSUER_CERT 1
bad-signature bad-signature.pem rsa-int.pem rsa-root.pem - server CERT_SIGNATURE_FAILURE 0
client-only-eku client-only.pem rsa-int.pem rsa-root.pem - server INVALID_PURPOSE 0
server-eku-for-client rsa-leaf.pem rsa-int.pem rsa-root.pem - client INVALID_PURPOSE 0
critical-extension critical-ext.pem rsa-int.pem rsa-root.pem - server UNHANDLED_CRITICAL_EXTENSION 0
no-keycertsign no-certsign-leaf.pem no-certsign-int.pem rsa-root.pem - server INVALID_CA 1
not-ca not-ca-leaf.pem not-ca-int.pem rsa-root.pem - server INVALID_CA 1
path-length pathlen0-leaf.pem pathlen0-sub.pem,pathlen0-int.pem rsa-root.pem - server PATH_LENGTH_EXCEEDED 2
chain-too-long long-leaf.pem long-chain.pem rsa-root.pem - server CERT_CHAIN_TOO_LONG 9
nc-ok nc-ok.pem nc-int.pem rsa-root.pem - server OK -
nc-dns-permitted nc-dns-permitted.pem nc-int.pem rsa-root.pem - server PERMITTED_VIOLATION 0
nc-dns-excluded nc-dns-excluded.pem nc-int.pem rsa-root.pem - server EXCLUDED_VIOLATION 0
nc-ip-permitted nc-ip-permitted.pem nc-int.pem rsa-root.pem - server PERMITTED_VIOLATION 0
nc-email-permitted nc-email-permitted.pem nc-int.pem rsa-root.pem - server PERMITTED_VIOLATION 0
nc-cn-permitted nc-cn-permitted.pem nc-int.pem rsa-root.pem - server PERMITTED_VIOLATION 0
nc-uri-permitted nc-uri-permitted.pem nc-int.pem rsa-root.pem - server PERMITTED_VIOLATION 0
nc-dn-ok nc-dn-ok.pem nc-dn-int.pem rsa-root.pem - server OK -
nc-dn-permitted nc-dn-permitted.pem nc-dn-int.pem rsa-root.pem - server PERMITTED_VIOLATION 0
crl-ok rsa-leaf.pem rsa-int.pem rsa-root.pem crl-empty.pem,crl-root.pem server OK -
crl-revoked rsa-leaf.pem rsa-int.pem rsa-root.pem crl-revokes-leaf.pem,crl-root.pem server CERT_REVOKED 0
crl-revoked-der rsa-leaf.pem rsa-int.pem rsa-root.pem crl-revokes-leaf.der,crl-root.pem server CERT_REVOKED 0
crl-missing rsa-leaf.pem rsa-int.pem rsa-root.pem crl-root.pem server UNABLE_TO_GET_CRL 0
crl-missing-for-intermediate rsa-leaf.pem rsa-int.pem rsa-root.pem crl-empty.pem server UNABLE_TO_GET_CRL 1
crl-expired rsa-leaf.pem rsa-int.pem rsa-root.pem crl-expired.pem,crl-root.pem server CRL_HAS_EXPIRED 0
crl-bad-signature rsa-leaf.pem rsa-int.pem rsa-root.pem crl-bad-signature.pem,crl-root.pem server CRL_SIGNATURE_FAILURE 0
crl-issuer-without-crlsign no-crlsign-leaf.pem no-crlsign-int.pem rsa-root.pem crl-no-crlsign.pem,crl-root.pem server KEYUSAGE_NO_CRL_SIGN 0
crl-not-yet-valid rsa-leaf.pem rsa-int.pem rsa-root.pem crl-not-yet-valid.pem,crl-root.pem server CRL_NOT_YET_VALID 0
crl-current-wins rsa-leaf.pem rsa-int.pem rsa-root.pem crl-expired.pem,crl-revokes-leaf.pem,crl-root.pem server CERT_REVOKED 0
any-eku any-eku.pem rsa-int.pem rsa-root.pem - server INVALID_PURPOSE 0
issuer-loop loop-leaf.pem loop-a.pem,loop-b.pem rsa-root.pem - server UNABLE_TO_GET_ISSUER_CERT_LOCALLY 2
CASES
sed -i 's/^rsa cert:/rsa /' cases.txt
