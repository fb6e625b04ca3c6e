# shellcheck shell=bash
# What `kubectl karmada init` v1.18.2 makes of certificates, with real ones (sourced by the kubectl-karmada
# stand-in): the CAs ca, front-proxy-ca and etcd-ca (10 years, as client-go's NewSelfSignedCACert) and the leaf
# certificates of genCerts (pkg/karmadactl/cmdinit/kubernetes/deploy.go, cert/cert.go) with its subjects and
# SANs, written to the --karmada-pki directory and to the Secrets createCertsSecrets makes in karmada-system
# ($FAKE_STATE/parent-secrets/<name>.json): karmada-cert (every certificate and key), etcd-cert, karmada-webhook-cert
# and the components' <name>-config kubeconfigs. EC P-256 keys (init makes RSA ones) keep the tests fast.
# $FAKE_CERT_MINUTES is the leaf certificates' lifetime (default: --cert-validity-period).

PKI_COMPONENTS="karmada-aggregated-apiserver karmada-controller-manager kube-controller-manager karmada-scheduler
  karmada-descheduler karmada-metrics-adapter karmada-search karmada-webhook"

pki_when() { date -u -d "$1" +%Y%m%d%H%M%SZ; }

# Signs the CSR $2 with CA $3 into $1.crt, valid from the CA's start until $4 (a date), extensions $5.
pki_sign() {
  local out=$1 csr=$2 ca=$3 until=$4 ext=$5 db
  db=$(mktemp -d)
  : >"$db/index.txt"
  printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index.txt\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\norganizationName=optional\n[v3]\n%s\n' \
    "$db" "$db" "$db" "$ext" >"$db/ca.cnf"
  real openssl rand -hex 8 >"$db/serial"
  real openssl ca -batch -config "$db/ca.cnf" -cert "$ca.crt" -keyfile "$ca.key" -in "$csr" -out "$out.crt" \
    -notext -preserveDN -extensions v3 -startdate "$(pki_when '-1 hour')" -enddate "$(pki_when "$until")" \
    >/dev/null 2>&1 || { echo "karmada-pki: openssl ca failed for $out" >&2; return 1; }
  rm -rf "$db"
}

pki_ca() {
  real openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.crt" \
    -subj "/CN=$2" -days 3650 -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign >/dev/null 2>&1
}

# pki_leaf DIR NAME CA SUBJECT SANS UNTIL
pki_leaf() {
  local dir=$1 name=$2 ca=$3 subject=$4 sans=$5 until=$6 ext
  real openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/$name.key" \
    -out "$dir/$name.csr" -subj "$subject" >/dev/null 2>&1
  ext='keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
basicConstraints=critical,CA:FALSE'
  [ -z "$sans" ] || ext+=$'\n'"subjectAltName=$sans"
  pki_sign "$dir/$name" "$dir/$name.csr" "$dir/$ca" "$until" "$ext"
  rm -f "$dir/$name.csr"
}

# karmada_pki DIR VALIDITY(Go duration in hours, e.g. 8760h) ETCD_REPLICAS EXTERNAL_IPS EXTERNAL_DNS
karmada_pki() {
  local dir=$1 hours=${2%h} replicas=$3 ips=$4 dns=$5 until etcd_dns i ip karmada_sans
  hours=${hours%%h*}
  until="+${FAKE_CERT_MINUTES:-$((hours * 60))} minutes"
  mkdir -p "$dir"
  pki_ca "$dir/ca" karmada
  pki_ca "$dir/front-proxy-ca" front-proxy-ca
  pki_ca "$dir/etcd-ca" etcd-ca
  etcd_dns=DNS:localhost
  for ((i = 0; i < replicas; i++)); do
    etcd_dns+=",DNS:etcd-$i.etcd.karmada-system.svc.cluster.local"
  done
  karmada_sans="DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc"
  karmada_sans+=",DNS:karmada-apiserver,DNS:karmada-webhook,DNS:karmada-aggregated-apiserver"
  karmada_sans+=",DNS:karmada-apiserver.karmada-system.svc.cluster.local,DNS:karmada-webhook.karmada-system.svc.cluster.local"
  karmada_sans+=",DNS:karmada-webhook.karmada-system.svc,DNS:karmada-aggregated-apiserver.karmada-system.svc.cluster.local"
  karmada_sans+=",DNS:*.karmada-system.svc.cluster.local,DNS:*.karmada-system.svc"
  [ -z "$dns" ] || karmada_sans+=",DNS:$dns"
  for ip in ${ips//,/ } 127.0.0.1; do karmada_sans+=",IP:$ip"; done
  pki_leaf "$dir" karmada ca "/O=system:masters/CN=system:admin" "$karmada_sans" "$until"
  pki_leaf "$dir" apiserver ca "/CN=karmada-apiserver" "$karmada_sans" "$until"
  pki_leaf "$dir" front-proxy-client front-proxy-ca "/CN=front-proxy-client" "" "$until"
  pki_leaf "$dir" etcd-server etcd-ca "/CN=karmada-etcd-server" "$etcd_dns,IP:127.0.0.1" "$until"
  pki_leaf "$dir" etcd-client etcd-ca "/CN=karmada-etcd-client" "" "$until"
}

# The kubeconfig init writes for the admin (server $2) from the PKI in $1.
pki_kubeconfig() {
  cat <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: $(base64 -w0 "$1/ca.crt")
    server: $2
  name: karmada-apiserver
contexts:
- context:
    cluster: karmada-apiserver
    user: karmada-admin
  name: karmada-admin@karmada-apiserver
current-context: karmada-admin@karmada-apiserver
users:
- name: karmada-admin
  user:
    client-certificate-data: $(base64 -w0 "$1/karmada.crt")
    client-key-data: $(base64 -w0 "$1/karmada.key")
KUBECONFIG
}

# The Secrets of createCertsSecrets from the PKI in $1.
pki_secrets() {
  local dir=$1 out=$FAKE_STATE/parent-secrets c
  mkdir -p "$out"
  pki_kubeconfig "$dir" https://karmada-apiserver.karmada-system.svc.cluster.local:5443 >"$dir/components.config"
  real python3 - "$dir" "$out" $PKI_COMPONENTS <<'PY'
import base64, json, os, sys
pki, out, components = sys.argv[1], sys.argv[2], sys.argv[3:]
def b64(name):
    with open(os.path.join(pki, name), "rb") as f:
        return base64.b64encode(f.read()).decode()
def secret(name, data):
    doc = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "data": data,
           "metadata": {"name": name, "namespace": "karmada-system", "resourceVersion": "4711", "uid": "0b1c"}}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(doc, f)
names = ["ca", "etcd-ca", "etcd-server", "etcd-client", "karmada", "apiserver", "front-proxy-ca", "front-proxy-client"]
secret("karmada-cert", {f"{n}.{e}": b64(f"{n}.{e}") for n in names for e in ("crt", "key")})
secret("etcd-cert", {f"{n}.{e}": b64(f"{n}.{e}") for n in ("etcd-ca", "etcd-server") for e in ("crt", "key")})
secret("karmada-webhook-cert", {"tls.crt": b64("karmada.crt"), "tls.key": b64("karmada.key")})
for c in components:
    secret(f"{c}-config", {"karmada.config": b64("components.config")})
PY
  rm -f "$dir/components.config"
}
