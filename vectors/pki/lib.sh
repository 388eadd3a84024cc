# Shared by the fixture scripts of vectors/pki/chains and vectors/pki/strict (sourced, not
# run): the `openssl ca` configuration, key generation and certificate issuing. The caller
# sets WORK (a temporary directory) and runs `ca_setup CN_POLICY` first.

# ca_setup CN_POLICY: writes $WORK/ca.cnf (commonName `supplied` or `optional` in the
# policy) and sets the serial counter, the key table and the validity windows.
ca_setup() {
  cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = CA_default
[ CA_default ]
database = $WORK/index.txt
new_certs_dir = $WORK
serial = $WORK/serial
crlnumber = $WORK/crlnumber
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
copy_extensions = none
[ policy_any ]
organizationName = optional
commonName = $1
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ crl_ext ]
authorityKeyIdentifier = keyid
CNF
  SERIAL=4096
  declare -gA KEYOF
  CA_START=20200101000000Z
  CA_END=20450101000000Z
  EE_START=20200101000000Z
  EE_END=20400101000000Z
}

key() { # key NAME TYPE
  case "$2" in
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key.pem" ;;
    p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key.pem" ;;
    p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$1.key.pem" ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$1.key.pem" ;;
    rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$1.key.pem" ;;
    rsa2052) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2052 -out "$1.key.pem" ;;
    p192) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime192v1 -out "$1.key.pem" ;;
    dsa)
      openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 -out "$WORK/dsa.param"
      openssl genpkey -paramfile "$WORK/dsa.param" -out "$1.key.pem" ;;
  esac
}

# cert NAME KEY CN ISSUER(- for self) START END EXTS [extra openssl ca args...]
cert() {
  local name=$1 keyf=$2 cn=$3 issuer=$4 start=$5 end=$6 exts=$7
  shift 7
  KEYOF[$name]=$keyf
  local ikey=$keyf
  [ "$issuer" = "-" ] || ikey=${KEYOF[$issuer]}
  SERIAL=$((SERIAL + 1))
  printf '%X\n' "$SERIAL" > "$WORK/serial"
  : > "$WORK/index.txt"
  printf '[ e ]\n%b\n' "$exts" > "$WORK/ext.cnf"
  # A CN starting with '/' is a whole subject (for the directoryName constraint cases).
  local subj="/CN=$cn"
  case "$cn" in /*) subj=$cn ;; esac
  openssl req -new -config "$WORK/ca.cnf" -key "$keyf.key.pem" -subj "$subj" \
    -out "$WORK/req.pem"
  local md=(-md sha256)
  case "$(openssl pkey -in "$ikey.key.pem" -noout -text 2>/dev/null | head -1)" in
    *ED25519*) md=() ;;
    *384*) md=(-md sha384) ;;
  esac
  if [ "$issuer" = "-" ]; then
    openssl ca -batch -config "$WORK/ca.cnf" -selfsign -keyfile "$keyf.key.pem" \
      -in "$WORK/req.pem" -out "$name.pem" -notext -startdate "$start" -enddate "$end" \
      -extfile "$WORK/ext.cnf" -extensions e "${md[@]}" "$@" 2>/dev/null
  else
    openssl ca -batch -config "$WORK/ca.cnf" -keyfile "$ikey.key.pem" -cert "$issuer.pem" \
      -in "$WORK/req.pem" -out "$name.pem" -notext -startdate "$start" -enddate "$end" \
      -extfile "$WORK/ext.cnf" -extensions e "${md[@]}" "$@" 2>/dev/null
  fi
}
