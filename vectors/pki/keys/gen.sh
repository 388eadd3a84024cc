#!/usr/bin/env bash
# Fixtures for sanstls-pki's keys, pkcs12 and dh modules (issue 6), made with OpenSSL 3.0.
# Run by `cargo xtask pki-fixtures keys` with this directory as cwd; overwrites its outputs.
# Every passphrase here is a test-only value: PASS for encrypted keys and PFX files, PASS2
# for the second PFX (Node's `pfx: [{buf, passphrase}]` with one passphrase each).
set -euo pipefail
PASS=test-only-pass
PASS2=second-test-pass

rm -f ./*.pem ./*.der ./*.p12 ./*.crt ./*.srl ./*.csr ./*.ext

# Plain keys, PKCS#8 (what `openssl genpkey` writes).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pk8.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out p256.pk8.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out p384.pk8.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out p521.pk8.pem
openssl genpkey -algorithm ED25519 -out ed25519.pk8.pem
openssl pkcs8 -topk8 -nocrypt -in rsa.pk8.pem -outform DER -out rsa.pk8.der
# Their public keys as OpenSSL writes them (SubjectPublicKeyInfo DER): the reference every
# loaded form of a key is compared with.
for k in rsa p256 p384 p521 ed25519; do
  openssl pkey -in $k.pk8.pem -pubout -outform DER -out $k.pub.der
done

# The same keys in their traditional forms: PKCS#1 and SEC1 (with and without the
# EC PARAMETERS block `openssl ecparam -genkey` puts first).
openssl rsa -in rsa.pk8.pem -traditional -out rsa.pk1.pem
openssl rsa -in rsa.pk8.pem -traditional -outform DER -out rsa.pk1.der
openssl ec -in p256.pk8.pem -out p256.sec1.pem
openssl ec -in p384.pk8.pem -out p384.sec1.pem
openssl ec -in p521.pk8.pem -out p521.sec1.pem
{ openssl ecparam -name prime256v1; cat p256.sec1.pem; } > p256.sec1-params.pem

# Encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256 + AES-CBC or DES-EDE3-CBC).
openssl pkcs8 -topk8 -v2 aes-256-cbc -in rsa.pk8.pem -passout pass:$PASS -out rsa.enc-aes256.pem
openssl pkcs8 -topk8 -v2 aes-128-cbc -in p256.pk8.pem -passout pass:$PASS -out p256.enc-aes128.pem
openssl pkcs8 -topk8 -v2 des3 -in ed25519.pk8.pem -passout pass:$PASS -out ed25519.enc-des3.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -in p384.pk8.pem -passout pass:$PASS -outform DER -out p384.enc-aes256.der
# ... with other KDFs: PBKDF2-HMAC-SHA-1 (OpenSSL 1.0's -v2 default) and -SHA-512, scrypt;
# the PKCS#12 PBE OpenSSL 1.0's `pkcs8 -topk8` used by default; and a cipher we refuse.
openssl pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA1 -in rsa.pk8.pem -passout pass:$PASS -out rsa.enc-sha1.pem
openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA512 -in p384.pk8.pem -passout pass:$PASS -out p384.enc-sha512.pem
openssl pkcs8 -topk8 -scrypt -in p256.pk8.pem -passout pass:$PASS -out p256.enc-scrypt.pem
openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES -in rsa.pk8.pem -passout pass:$PASS -out rsa.enc-pbe-sha1-3des.pem
openssl pkcs8 -topk8 -v2 camellia-256-cbc -in p256.pk8.pem -passout pass:$PASS -out p256.enc-camellia.pem

# Traditional OpenSSL encrypted PEM (Proc-Type: 4,ENCRYPTED / DEK-Info).
openssl rsa -in rsa.pk8.pem -traditional -aes128 -passout pass:$PASS -out rsa.trad-aes128.pem
openssl rsa -in rsa.pk8.pem -traditional -des3 -passout pass:$PASS -out rsa.trad-des3.pem
openssl ec -in p256.pk8.pem -aes256 -passout pass:$PASS -out p256.trad-aes256.pem
openssl ec -in p384.pk8.pem -aes192 -passout pass:$PASS -out p384.trad-aes192.pem

# Keys we do not sign with: the loader must name their algorithm (or, for a 1024-bit RSA
# key, say why ring refuses it).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa1024.pk8.pem
openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 -out dsa.params.pem
openssl genpkey -paramfile dsa.params.pem -out dsa.pk8.pem
rm -f dsa.params.pem
openssl genpkey -algorithm X25519 -out x25519.pk8.pem
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 -out k256.pk8.pem

# A CA (P-256) and two leaves for localhost: one for the RSA key, one for the P-256 key.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key.pem
openssl req -x509 -new -key ca.key.pem -subj "/CN=sanstls keys test CA" -days 3650 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -out ca.crt
for k in rsa p256; do
  openssl req -new -key $k.pk8.pem -subj "/CN=localhost" -out $k.csr
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n' > $k.ext
  openssl x509 -req -in $k.csr -CA ca.crt -CAkey ca.key.pem -set_serial 0x$((RANDOM))1 \
    -days 3650 -extfile $k.ext -out $k.crt
  rm -f $k.csr $k.ext
done

# PKCS#12: today's default (PBES2/PBKDF2/AES-256-CBC bags, SHA-256 MAC), -legacy (RC2-40
# certificates, 3DES key, SHA-1 MAC), an empty passphrase, no MAC, and a second file with
# its own passphrase. Leaf and key first, the CA as the extra certificate.
openssl pkcs12 -export -inkey rsa.pk8.pem -in rsa.crt -certfile ca.crt -name leaf \
  -passout pass:$PASS -out rsa.p12
openssl pkcs12 -export -legacy -inkey rsa.pk8.pem -in rsa.crt -certfile ca.crt -name leaf \
  -passout pass:$PASS -out rsa.legacy.p12 \
  || openssl pkcs12 -export -provider legacy -provider default -legacy -inkey rsa.pk8.pem \
       -in rsa.crt -certfile ca.crt -name leaf -passout pass:$PASS -out rsa.legacy.p12
openssl pkcs12 -export -inkey p256.pk8.pem -in p256.crt -certfile ca.crt \
  -passout pass: -out p256.nopass.p12
openssl pkcs12 -export -inkey p256.pk8.pem -in p256.crt -nomac \
  -passout pass:$PASS -out p256.nomac.p12
openssl pkcs12 -export -inkey p256.pk8.pem -in p256.crt -certfile ca.crt -nomac \
  -passout pass: -out p256.nomac-empty.p12
openssl pkcs12 -export -inkey p256.pk8.pem -in p256.crt -certfile ca.crt \
  -passout pass:$PASS2 -out p256.p12
# Unencrypted bags (a keyBag rather than a pkcs8ShroudedKeyBag), still with a MAC.
openssl pkcs12 -export -keypbe NONE -certpbe NONE -inkey p256.pk8.pem -in p256.crt \
  -passout pass:$PASS -out p256.plainbags.p12
# A bundle as Node users write it: junk, a certificate, the key, more junk, the CA.
{ echo "Bag Attributes: junk before the first block"; cat rsa.crt; echo "subject=CN = localhost";
  cat rsa.pk1.pem; echo; cat ca.crt; echo trailing text; } > bundle.pem

# DH parameters (PKCS#3).
openssl dhparam -out dh2048.pem 2048 2>/dev/null
openssl dhparam -in dh2048.pem -outform DER -out dh2048.der
