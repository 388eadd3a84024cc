#!/usr/bin/env bash
# Certificates for the peer-certificate object (cert.rs) and checkServerIdentity
# (identity.rs): a root CA -> intermediate CA -> leaves chain, with leaves of several key
# types and names of every kind Node prints. Run with `cargo xtask pki-fixtures certs`.
#
# Outputs (overwritten):
#   root.{key,pem}            self-signed RSA-2048 root CA
#   inter.{key,pem}           EC P-256 intermediate CA signed by the root
#   <leaf>.{key,pem}          leaves signed by the intermediate, for leaf in:
#     rsa        RSA-2048; rich subject (repeated OU, multi-valued RDN, emailAddress, DC,
#                UID, serialNumber, unknown OID, non-ASCII UTF8 CN); SANs of every kind
#                (DNS, wildcard, IPv4, IPv6, email, URI, RID, DirName, otherName UPN and an
#                unsupported otherName); AIA (OCSP + caIssuers); extendedKeyUsage
#     ec256      EC P-256; DNS + IP SANs; T61String and BMPString subject values
#     ec384      EC P-384; a URI SAN with a comma (Node escapes it) and a wildcard
#     ed25519    Ed25519; DNS SAN
#     nosan      RSA-2048; CN only, no extensions but basicConstraints
#   <leaf>-chain.pem          the leaf, the intermediate and the root (leaf first)
#     odd        RSA-1024 with e=3, signed by the intermediate: a negative serial number,
#                notAfter past 2049 (GeneralizedTime), CA:true but keyUsage without
#                keyCertSign (so Node's `ca` is false), names needing RFC 2253 and JSON
#                escapes (commas, quotes, `+`, `#`, edge spaces), SRVName and
#                SmtpUTF8Mailbox otherNames, AIA with DNS/email locations and an unknown
#                access method
#   rsa.der                   the rsa leaf as DER
#   selfsigned.{key,pem}      a self-signed EC P-256 certificate (not a CA) with a DNS SAN
#   v1.{pem,der}              a self-signed version 1 certificate (no extensions)
#   p521.pem, k256.pem, bp256.pem, pss.pem
#                             self-signed certificates with P-521, secp256k1,
#                             brainpoolP256r1 and RSA-PSS keys (compared with Node's
#                             X509Certificate.toLegacyObject(), not served over TLS)
# Serial numbers are fixed; validity starts when the script runs (openssl x509 -req).
set -euo pipefail

rm -f ./*.pem ./*.key ./*.der ./*.srl ./*.csr ./*.cnf

cat > ext.cnf <<'CNF'
[root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[inter]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid

[rsa]
basicConstraints = CA:false
keyUsage = digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth, 1.3.6.1.4.1.99999.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = @rsa_san
authorityInfoAccess = OCSP;URI:http://ocsp.example.test/, caIssuers;URI:http://ca.example.test/inter.crt, OCSP;URI:http://ocsp2.example.test/

[rsa_san]
DNS.1 = rsa.example.test
DNS.2 = *.wild.example.test
IP.1 = 127.0.0.1
IP.2 = ::1
IP.3 = 2001:db8:0:0:1:0:0:abcd
email.1 = admin@example.test
URI.1 = https://uri.example.test/path?q=1
RID.1 = 1.2.3.4.5
dirName.1 = dir_sect
otherName.1 = 1.3.6.1.4.1.311.20.2.3;UTF8:upn@example.test
otherName.2 = 1.2.3.4.99;UTF8:unsupported

[dir_sect]
C = NZ
O = Dir Org
CN = Directory Name

[ec256]
basicConstraints = CA:false
extendedKeyUsage = serverAuth
subjectAltName = DNS:ec256.example.test, DNS:localhost, IP:10.0.0.1, IP:fe80::1

[ec384]
basicConstraints = CA:false
subjectAltName = @ec384_san
authorityInfoAccess = caIssuers;URI:http://ca.example.test/inter.crt

[ec384_san]
DNS.1 = *.ec384.example.test
URI.1 = http://uri.example.test/a,b

[odd]
basicConstraints = critical, CA:true
keyUsage = digitalSignature
subjectAltName = @odd_san
authorityInfoAccess = caIssuers;DNS:ca.example.test, 1.2.3.4;URI:http://other.example.test/, OCSP;email:ocsp@example.test

[odd_san]
DNS.1 = a,b.example.test
DNS.2 = odd.example.test
otherName.1 = 1.3.6.1.5.5.7.8.7;IA5:_ldap._tcp.example.test
otherName.2 = 1.3.6.1.5.5.7.8.9;UTF8:mailbox@example.test
dirName.1 = odd_dir

[odd_dir]
O = A, Inc.
OU = \#hash+plus
CN = " spaced "

[ed25519]
basicConstraints = CA:false
subjectAltName = DNS:ed25519.example.test

[nosan]
basicConstraints = CA:false

[selfsigned]
subjectAltName = DNS:self.example.test
CNF

# The default string mask of `req` (utf8only) except for the ec256 leaf, whose subject is
# written with `string_mask = default` so OpenSSL picks T61String and BMPString.
# An attribute type OpenSSL does not know (1.2.3.4.5.6) can only be named through an OID
# section; the certificate holds just the OID, which Node shows dotted.
cat > req.cnf <<'CNF'
oid_section = oids
[oids]
sanstlsTestAttribute = 1.2.3.4.5.6
[req]
distinguished_name = dn
string_mask = utf8only
[dn]
CNF
cat > req-default-mask.cnf <<'CNF'
[req]
distinguished_name = dn
string_mask = default
[dn]
CNF

# `req` in OpenSSL 3.0 has no -extfile: the extension sections go into its config too.
cat ext.cnf >> req.cnf

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key 2>/dev/null
openssl req -config req.cnf -new -x509 -key root.key -days 3650 -set_serial 0x01 \
    -subj "/C=US/O=sanstls test/CN=sanstls Test Root CA" -extensions root \
    -out root.pem

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out inter.key
openssl req -config req.cnf -new -key inter.key -subj "/C=US/O=sanstls test/CN=sanstls Test Intermediate" \
    -out inter.csr
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 0x1002 -days 3650 \
    -extfile ext.cnf -extensions inter -out inter.pem

leaf() { # name keyargs subject config [extra req args]
    local name=$1 keyargs=$2 subj=$3 cnf=$4
    shift 4
    # shellcheck disable=SC2086
    openssl genpkey $keyargs -out "$name.key" 2>/dev/null
    openssl req -config "$cnf" -new -utf8 "$@" -key "$name.key" -subj "$subj" -out "$name.csr"
}

leaf rsa "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" \
    "/DC=test/DC=example/C=GB/ST=England/L=London/O=Rich Org/OU=Unit One/OU=Unit Two/serialNumber=S-42/sanstlsTestAttribute=custom value/CN=Ünïcødé Leaf+UID=uid-7/emailAddress=leaf@example.test" \
    req.cnf -multivalue-rdn
leaf ec256 "-algorithm EC -pkeyopt ec_paramgen_curve:P-256" \
    "/C=DE/L=München/O=日本 Org/CN=ec256.example.test" req-default-mask.cnf
leaf ec384 "-algorithm EC -pkeyopt ec_paramgen_curve:P-384" "/O=sanstls test/CN=ec384.example.test" req.cnf
leaf ed25519 "-algorithm ED25519" "/CN=ed25519.example.test" req.cnf
leaf nosan "-algorithm RSA -pkeyopt rsa_keygen_bits:2048" "/O=sanstls test/CN=NoSan.Example.Test" req.cnf
leaf odd "-algorithm RSA -pkeyopt rsa_keygen_bits:1024 -pkeyopt rsa_keygen_pubexp:3" \
    '/O=A, Inc."q"/OU=\+plus;semi/CN= lead and trail /street=Main St' req.cnf

serial=0x2001
for name in rsa ec256 ec384 ed25519 nosan odd; do
    days=3650
    if [ "$name" = odd ]; then
        serial=-0x1234
        days=9500
    fi
    openssl x509 -req -in "$name.csr" -CA inter.pem -CAkey inter.key -set_serial "$serial" -days "$days" \
        -extfile ext.cnf -extensions "$name" -out "$name.pem"
    cat "$name.pem" inter.pem root.pem > "$name-chain.pem"
    serial=$((serial + 1))
done
openssl x509 -in rsa.pem -outform DER -out rsa.der

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out selfsigned.key
openssl req -config req.cnf -new -x509 -key selfsigned.key -days 3650 -set_serial 0x00ff01 \
    -subj "/CN=self.example.test" -extensions selfsigned -out selfsigned.pem

# Version 1: `x509 -req` without extensions.
openssl req -config req.cnf -new -key root.key -subj "/CN=v1.example.test" -out v1.csr
openssl x509 -req -in v1.csr -signkey root.key -set_serial 0x3001 -days 3650 -out v1.pem 2>/dev/null
openssl x509 -in v1.pem -outform DER -out v1.der

selfsigned() { # name keyargs
    # shellcheck disable=SC2086
    openssl genpkey $2 -out "$1.key" 2>/dev/null
    openssl req -config req.cnf -new -x509 -key "$1.key" -days 3650 -set_serial 0x4001 \
        -subj "/CN=$1.example.test" -extensions selfsigned -out "$1.pem"
}
selfsigned p521 "-algorithm EC -pkeyopt ec_paramgen_curve:P-521"
selfsigned k256 "-algorithm EC -pkeyopt ec_paramgen_curve:secp256k1"
selfsigned bp256 "-algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1"
selfsigned pss "-algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048"
# Only the certificates are needed.
rm -f p521.key k256.key bp256.key pss.key

rm -f ./*.csr ./*.srl ./*.cnf
