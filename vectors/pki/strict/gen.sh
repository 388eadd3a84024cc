#!/usr/bin/env bash
# Fixtures for the strict web-PKI rules of sanstls-pki's verifier (issue 18, path validation):
# one chain per rule, each breaking that rule only, plus the RFC 5280 path-building cases that
# hold under both policies (key rollover, a cycle, the name-constraint budget).
#
# Run with this directory as cwd (`cargo xtask pki-fixtures strict`). Every certificate gets
# a fixed validity window (2020-2040, CAs to 2045), so the cases hold at the instant in
# now.txt. Keys are regenerated on each run and deleted at the end.
#
# cases.txt lists one verification per line:
#   name  cert  untrusted  ca  node-expected  strict-expected  [crls]
# (comma-separated file lists, `-` for none; expected is `OK` or `CODE@depth`; with crls,
# revocation is checked for the whole chain, as Node's `crl` option does). The Node
# column is what `openssl verify -attime $(cat now.txt) -purpose sslserver` reports (with
# `-crl_check_all -CRLfile` for each CRL; checked when the fixtures were made;
# tests/verify_strict.rs re-runs it for the cases it can).
set -euo pipefail
umask 077

rm -f ./*.pem ./*.der cases.txt now.txt
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# 2026-06-01T00:00:00Z: inside every "good" window below.
echo 1780272000 > now.txt

# shellcheck source=../lib.sh
source ../lib.sh
ca_setup optional




# resign NAME SRC ISSUER SERIAL: SRC (self-signed, so `openssl x509 -CA` takes it) issued
# again by ISSUER with serial SERIAL (which `openssl ca` cannot write: zero, negative), same
# dates, same extensions.
resign() {
  openssl x509 -in "$2.pem" -CA "$3.pem" -CAkey "${KEYOF[$3]}.key.pem" -set_serial "$4" \
    -preserve_dates -sha256 -out "$1.pem"
  KEYOF[$1]=${KEYOF[$2]}
}

CA_EXT='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
EE_BASE='keyUsage=critical,digitalSignature,keyEncipherment\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
EE_EXT="basicConstraints=CA:FALSE\n$EE_BASE\nextendedKeyUsage=serverAuth"
SAN='\nsubjectAltName=DNS:www.example.com'
WWW=www.example.com

# --- The good chain: root -> int -> leaf (passes both policies) ---------------------------
key root rsa; cert root root "Strict Root" - $CA_START $CA_END "$CA_EXT"
key int rsa; cert int int "Strict Int" root $CA_START $CA_END "$CA_EXT"
key leaf rsa; cert leaf leaf $WWW int $EE_START $EE_END "$EE_EXT$SAN"

# --- extendedKeyUsage ----------------------------------------------------------------------
cert eku-missing leaf $WWW int $EE_START $EE_END "basicConstraints=CA:FALSE\n$EE_BASE$SAN"
cert eku-any-only leaf $WWW int $EE_START $EE_END \
  "basicConstraints=CA:FALSE\n$EE_BASE\nextendedKeyUsage=anyExtendedKeyUsage$SAN"
# A trusted root whose EKU is clientAuth only, issuing a server certificate.
key eku-root rsa; cert eku-root eku-root "Client EKU Root" - $CA_START $CA_END \
  "$CA_EXT\nextendedKeyUsage=clientAuth"
cert eku-root-leaf leaf $WWW eku-root $EE_START $EE_END "$EE_EXT$SAN"

# --- basicConstraints ----------------------------------------------------------------------
key bc-int rsa; cert bc-noncritical-int bc-int "BC Noncritical Int" root $CA_START $CA_END \
  'basicConstraints=CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid'
cert bc-noncritical-leaf leaf $WWW bc-noncritical-int $EE_START $EE_END "$EE_EXT$SAN"
cert leaf-ca leaf $WWW int $EE_START $EE_END \
  "basicConstraints=critical,CA:TRUE\n$EE_BASE\nextendedKeyUsage=serverAuth$SAN"
cert leaf-keycertsign leaf $WWW int $EE_START $EE_END \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid$SAN"
# pathLenConstraint in an end entity (with cA false): meaningless, ignored (RFC 5280 s4.2.1.9).
cert leaf-pathlen leaf $WWW int $EE_START $EE_END \
  "basicConstraints=critical,CA:FALSE,pathlen:0\n$EE_BASE\nextendedKeyUsage=serverAuth$SAN"

# --- Key identifiers -----------------------------------------------------------------------
# (`openssl ca` 3.0 adds both identifiers unless told `none`.)
cert aki-missing leaf $WWW int $EE_START $EE_END \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=none$SAN"
key ski-int rsa; cert ski-missing-int ski-int "No SKI Int" root $CA_START $CA_END \
  'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=none\nauthorityKeyIdentifier=keyid'
# The issuer has no SKI: the leaf's AKI holds the issuer's name and serial instead.
cert ski-missing-leaf leaf $WWW ski-missing-int $EE_START $EE_END \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid,issuer$SAN"
key aki-root rsa; cert aki-issuer-root aki-root "AKI Issuer Root" - $CA_START $CA_END \
  'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always,issuer:always'
cert aki-issuer-root-leaf leaf $WWW aki-issuer-root $EE_START $EE_END "$EE_EXT$SAN"

# --- Keys, version, serial number ----------------------------------------------------------
key rsa1024 rsa1024; cert weak-rsa1024 rsa1024 $WWW int $EE_START $EE_END "$EE_EXT$SAN"
key rsa2052 rsa2052; cert weak-rsa2052 rsa2052 $WWW int $EE_START $EE_END "$EE_EXT$SAN"
key p192 p192; cert weak-p192 p192 $WWW int $EE_START $EE_END \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid$SAN"
key dsa dsa; cert weak-dsa dsa $WWW int $EE_START $EE_END \
  "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid$SAN"
# No extensions at all: `openssl ca` writes a version 1 certificate.
cert version1 leaf $WWW int $EE_START $EE_END ''
# Serial numbers `openssl ca` will not write: self-signed first, then issued again by int.
cert serial-src leaf $WWW - $EE_START $EE_END "$EE_EXT$SAN"
resign serial-zero serial-src int 0
resign serial-negative serial-src int -1
resign serial-long serial-src int 0x7f0102030405060708090a0b0c0d0e0f1011121314
rm serial-src.pem

# --- subjectAltName ------------------------------------------------------------------------
cert san-critical-with-subject leaf $WWW int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=critical,DNS:www.example.com"
cert empty-subject-san-noncritical leaf / int $EE_START $EE_END "$EE_EXT$SAN"
cert empty-subject-san-critical leaf / int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=critical,DNS:www.example.com"
cert dns-underscore leaf $WWW int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=DNS:www.example.com,DNS:bad_name.example.com"
cert dns-empty-label leaf $WWW int $EE_START $EE_END \
  "$EE_EXT\nsubjectAltName=DNS:www.example.com,DNS:a..example.com"

# --- nameConstraints -----------------------------------------------------------------------
key nc-key rsa
cert nc-rid-int nc-key "NC RID Int" root $CA_START $CA_END \
  "$CA_EXT\nnameConstraints=critical,permitted;RID:1.2.3.4"
cert nc-rid-leaf leaf $WWW nc-rid-int $EE_START $EE_END "$EE_EXT$SAN"
# permittedSubtrees holding one iPAddress of 5 octets (an address and mask are 8 or 32).
cert nc-malformed-int nc-key "NC Malformed Int" root $CA_START $CA_END \
  "$CA_EXT\nnameConstraints=critical,DER:30:0b:a0:09:30:07:87:05:0a:00:00:00:ff"
cert nc-malformed-leaf leaf $WWW nc-malformed-int $EE_START $EE_END "$EE_EXT$SAN"

# --- policyConstraints, inhibitAnyPolicy ---------------------------------------------------
cert policy-constraints-int nc-key "Policy Constraints Int" root $CA_START $CA_END \
  "$CA_EXT\npolicyConstraints=inhibitPolicyMapping:0"
cert policy-constraints-leaf leaf $WWW policy-constraints-int $EE_START $EE_END "$EE_EXT$SAN"
cert inhibit-any-int nc-key "Inhibit Any Int" root $CA_START $CA_END \
  "$CA_EXT\ninhibitAnyPolicy=0"
cert inhibit-any-leaf leaf $WWW inhibit-any-int $EE_START $EE_END "$EE_EXT$SAN"

# --- Both policies: key rollover (self-issued intermediates) -------------------------------
# "Rollover CA" (old key, pathlen:0, and a directoryName constraint its own name is outside)
# issued a certificate for its new key under the same name, which issued the leaf. The
# self-issued certificate neither counts towards pathLenConstraint nor is checked against
# name constraints (RFC 5280 s4.2.1.9, s4.2.1.10, s6.1.4 (l)).
key roll-old rsa; key roll-new rsa
cert rollover-pathlen-int roll-old "Rollover CA" root $CA_START $CA_END \
  "$CA_EXT\nbasicConstraints=critical,CA:TRUE,pathlen:0"
cert rollover-pathlen-new roll-new "Rollover CA" rollover-pathlen-int $CA_START $CA_END "$CA_EXT"
cert rollover-pathlen-leaf leaf $WWW rollover-pathlen-new $EE_START $EE_END "$EE_EXT$SAN"
key roll-nc-old rsa; key roll-nc-new rsa
cert rollover-nc-int roll-nc-old "Rollover NC CA" root $CA_START $CA_END \
  "$CA_EXT\nnameConstraints=critical,permitted;dirName:dn_good\n[ dn_good ]\nO=Good Org"
cert rollover-nc-new roll-nc-new "Rollover NC CA" rollover-nc-int $CA_START $CA_END "$CA_EXT"
cert rollover-nc-leaf leaf "/O=Good Org/CN=www.example.com" rollover-nc-new $EE_START $EE_END "$EE_EXT$SAN"
# The same, without an AKI in the self-issued certificate. It is not self-signed, but with
# the same names and no key identifier to tell them apart, path building (OpenSSL's and
# ours) takes it for a self-signed top: SELF_SIGNED_CERT_IN_CHAIN under both policies, before
# Strict's rule that only self-signed certificates may omit the AKI (RFC 5280 s4.2.1.1).
key roll-aki-old rsa; key roll-aki-new rsa
cert rollover-noaki-int roll-aki-old "Rollover No AKI CA" root $CA_START $CA_END "$CA_EXT"
cert rollover-noaki-new roll-aki-new "Rollover No AKI CA" rollover-noaki-int $CA_START $CA_END \
  'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=none'
cert rollover-noaki-leaf leaf $WWW rollover-noaki-new $EE_START $EE_END "$EE_EXT$SAN"

# --- Both policies: a cycle of three untrusted CAs (C issued by B, B by A, A by C) ---------
key cyc-a rsa; key cyc-b rsa; key cyc-c rsa
cert cycle-a0 cyc-a "Cycle A" - $CA_START $CA_END "$CA_EXT"
cert cycle-b cyc-b "Cycle B" cycle-a0 $CA_START $CA_END "$CA_EXT"
cert cycle-c cyc-c "Cycle C" cycle-b $CA_START $CA_END "$CA_EXT"
cert cycle-a cyc-a "Cycle A" cycle-c $CA_START $CA_END "$CA_EXT"
cert cycle-leaf leaf $WWW cycle-c $EE_START $EE_END "$EE_EXT$SAN"
rm cycle-a0.pem

# --- Both policies: 1025 constraints x 1025 names is over the 1024 x 1024 budget ------------
NC=$(seq -f 'permitted;DNS:n%g.example' 0 1024 | paste -sd, -)
NAMES=$(seq -f 'DNS:n%g.example' 0 1024 | paste -sd, -)
cert nc-budget-int nc-key "NC Budget Int" root $CA_START $CA_END "$CA_EXT\nnameConstraints=critical,$NC"
cert nc-budget-leaf leaf n0.example nc-budget-int $EE_START $EE_END "$EE_EXT\nsubjectAltName=$NAMES"


# --- Name constraints over the subject CN (OpenSSL's NAME_CONSTRAINTS_check_CN) ------------
# An intermediate permitting DNS example.com only; leaves without a DNS SAN whose CN looks like
# a host name outside it (OpenSSL checks such a CN as a dNSName, `_` included), and one whose
# DNS SAN is inside (the CN is then not read).
key nc-cn-key rsa; cert nc-cn-int nc-cn-key "NC CN Int" root $CA_START $CA_END \
  "$CA_EXT\nnameConstraints=critical,permitted;DNS:example.com"
cert nc-cn-outside leaf www.example.org nc-cn-int $EE_START $EE_END "$EE_EXT"
cert nc-cn-underscore leaf a_b.example.org nc-cn-int $EE_START $EE_END "$EE_EXT"
cert nc-cn-with-san leaf www.example.org nc-cn-int $EE_START $EE_END "$EE_EXT$SAN"

# --- CRLs (RFC 5280 s5.2.3: crlNumber present and non-critical) -----------------------------
# crl NAME ISSUER NUMBER: an empty CRL from ISSUER, 2020-2040. NUMBER is `yes` (what `openssl
# ca` writes from its crlnumber file), `none` or `critical` (written as a raw extension, with
# the crlnumber file left out of the configuration).
crl() {
  local name=$1 issuer=$2 number=$3
  : > "$WORK/index.txt"
  echo 01 > "$WORK/crlnumber"
  local conf="$WORK/ca.cnf" exts=crl_ext
  if [ "$number" != yes ]; then
    grep -v '^crlnumber' "$WORK/ca.cnf" > "$WORK/ca-nonumber.cnf"
    conf="$WORK/ca-nonumber.cnf"
  fi
  if [ "$number" = critical ]; then
    printf '[ crl_critical ]\nauthorityKeyIdentifier = keyid\n2.5.29.20 = critical,ASN1:INTEGER:1\n' >> "$conf"
    exts=crl_critical
  fi
  openssl ca -batch -config "$conf" -gencrl -keyfile "${KEYOF[$issuer]}.key.pem" -cert "$issuer.pem" \
    -crl_lastupdate 20200101000000Z -crl_nextupdate 20400101000000Z -crlexts "$exts" -md sha256 \
    -out "$name.pem" 2>/dev/null
}
crl crl-root root yes
crl crl-int int yes
crl crl-int-no-number int none
crl crl-int-number-critical int critical

rm -f ./*.key.pem

cat > cases.txt <<'CASES'
# name cert untrusted ca node-expected strict-expected [crls]
good leaf.pem int.pem root.pem OK OK
eku-missing eku-missing.pem int.pem root.pem OK ERR_SANSTLS_STRICT_EKU_MISSING@0
eku-any-only eku-any-only.pem int.pem root.pem INVALID_PURPOSE@0 INVALID_PURPOSE@0
eku-root-client eku-root-leaf.pem - eku-root.pem OK ERR_SANSTLS_STRICT_CA_EKU@1
bc-noncritical bc-noncritical-leaf.pem bc-noncritical-int.pem root.pem OK ERR_SANSTLS_STRICT_BASIC_CONSTRAINTS_NOT_CRITICAL@1
leaf-ca leaf-ca.pem int.pem root.pem OK ERR_SANSTLS_STRICT_END_ENTITY_IS_CA@0
leaf-keycertsign leaf-keycertsign.pem int.pem root.pem OK ERR_SANSTLS_STRICT_END_ENTITY_IS_CA@0
leaf-pathlen leaf-pathlen.pem int.pem root.pem OK OK
aki-missing aki-missing.pem int.pem root.pem OK ERR_SANSTLS_STRICT_AKI_MISSING@0
ski-missing ski-missing-leaf.pem ski-missing-int.pem root.pem OK ERR_SANSTLS_STRICT_SKI_MISSING@1
root-aki-issuer aki-issuer-root-leaf.pem - aki-issuer-root.pem OK ERR_SANSTLS_STRICT_ROOT_AKI_NOT_KEY_ID@1
weak-rsa1024 weak-rsa1024.pem int.pem root.pem OK ERR_SANSTLS_STRICT_WEAK_KEY@0
weak-rsa2052 weak-rsa2052.pem int.pem root.pem OK ERR_SANSTLS_STRICT_WEAK_KEY@0
weak-p192 weak-p192.pem int.pem root.pem OK ERR_SANSTLS_STRICT_WEAK_KEY@0
weak-dsa weak-dsa.pem int.pem root.pem OK ERR_SANSTLS_STRICT_WEAK_KEY@0
version1 version1.pem int.pem root.pem OK ERR_SANSTLS_STRICT_VERSION_1@0
serial-zero serial-zero.pem int.pem root.pem OK ERR_SANSTLS_STRICT_SERIAL_NUMBER@0
serial-negative serial-negative.pem int.pem root.pem OK ERR_SANSTLS_STRICT_SERIAL_NUMBER@0
serial-long serial-long.pem int.pem root.pem OK ERR_SANSTLS_STRICT_SERIAL_NUMBER@0
san-critical-with-subject san-critical-with-subject.pem int.pem root.pem OK ERR_SANSTLS_STRICT_SAN_CRITICAL_WITH_SUBJECT@0
empty-subject-san-noncritical empty-subject-san-noncritical.pem int.pem root.pem OK ERR_SANSTLS_STRICT_EMPTY_SUBJECT_SAN_NOT_CRITICAL@0
empty-subject-san-critical empty-subject-san-critical.pem int.pem root.pem OK OK
dns-underscore dns-underscore.pem int.pem root.pem OK ERR_SANSTLS_STRICT_INVALID_DNS_NAME@0
dns-empty-label dns-empty-label.pem int.pem root.pem OK ERR_SANSTLS_STRICT_INVALID_DNS_NAME@0
nc-unsupported-form nc-rid-leaf.pem nc-rid-int.pem root.pem OK ERR_SANSTLS_STRICT_NAME_CONSTRAINT_UNSUPPORTED@1
nc-malformed nc-malformed-leaf.pem nc-malformed-int.pem root.pem OK ERR_SANSTLS_STRICT_NAME_CONSTRAINT_MALFORMED@1
policy-constraints-noncritical policy-constraints-leaf.pem policy-constraints-int.pem root.pem OK ERR_SANSTLS_STRICT_POLICY_CONSTRAINTS_NOT_CRITICAL@1
inhibit-any-noncritical inhibit-any-leaf.pem inhibit-any-int.pem root.pem OK ERR_SANSTLS_STRICT_INHIBIT_ANY_POLICY_NOT_CRITICAL@1
rollover-pathlen rollover-pathlen-leaf.pem rollover-pathlen-new.pem,rollover-pathlen-int.pem root.pem OK OK
rollover-nc rollover-nc-leaf.pem rollover-nc-new.pem,rollover-nc-int.pem root.pem OK OK
rollover-without-aki rollover-noaki-leaf.pem rollover-noaki-new.pem,rollover-noaki-int.pem root.pem SELF_SIGNED_CERT_IN_CHAIN@1 SELF_SIGNED_CERT_IN_CHAIN@1
cycle cycle-leaf.pem cycle-a.pem,cycle-b.pem,cycle-c.pem root.pem UNABLE_TO_GET_ISSUER_CERT_LOCALLY@3 UNABLE_TO_GET_ISSUER_CERT_LOCALLY@3
nc-budget nc-budget-leaf.pem nc-budget-int.pem root.pem ERR_SANSTLS_NAME_CONSTRAINTS_BUDGET@0 ERR_SANSTLS_NAME_CONSTRAINTS_BUDGET@0
nc-cn-outside nc-cn-outside.pem nc-cn-int.pem root.pem PERMITTED_VIOLATION@0 PERMITTED_VIOLATION@0
nc-cn-underscore nc-cn-underscore.pem nc-cn-int.pem root.pem PERMITTED_VIOLATION@0 PERMITTED_VIOLATION@0
nc-cn-with-san nc-cn-with-san.pem nc-cn-int.pem root.pem OK OK
crl-ok leaf.pem int.pem root.pem OK OK crl-int.pem,crl-root.pem
crl-number-missing leaf.pem int.pem root.pem OK ERR_SANSTLS_STRICT_CRL_NUMBER_MISSING@0 crl-int-no-number.pem,crl-root.pem
crl-number-critical leaf.pem int.pem root.pem UNHANDLED_CRITICAL_CRL_EXTENSION@0 UNHANDLED_CRITICAL_CRL_EXTENSION@0 crl-int-number-critical.pem,crl-root.pem
CASES
