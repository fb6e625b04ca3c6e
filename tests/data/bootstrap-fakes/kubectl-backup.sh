# shellcheck shell=bash
# The kubectl stand-in's answers to the backup and restore calls (sourced by `kubectl` after it parsed
# --kubeconfig and -n; it exits when one matched). In the parent's karmada-system: the etcd pods etcd-0..N-1
# follow the StatefulSet's scale ($FAKE_STATE/etcd-scale, else its replicas) and are Ready unless
# $FAKE_STATE/etcd-down; a port-forward to one prints the local port $FAKE_ETCD_PORT as kubectl does and runs
# until killed; Secrets ($FAKE_STATE/parent-secrets/) and Deployments ($FAKE_STATE/deployments/) exist once
# Karmada is installed; a restore pod mounts the volume etcd-data-etcd-N ($FAKE_STATE/pvc/) only while etcd-N
# does not run (EBS volumes attach to one node), and `exec -i POD -- sh -c` runs in that volume.

etcd_scale() {
  if [ -f "$FAKE_STATE/etcd-scale" ]; then
    cat "$FAKE_STATE/etcd-scale"
  elif [ -f "$FAKE_STATE/etcd-statefulset.json" ]; then
    sed -n 's/.*"replicas": *\([0-9]*\).*/\1/p' "$FAKE_STATE/etcd-statefulset.json" | head -n 1
  elif [ -f "$FAKE_STATE/installed" ]; then
    echo 3
  else
    echo 0
  fi
}

# Seeds what `kubectl karmada init` leaves in karmada-system the first time it is asked for.
parent_objects() {
  [ -f "$FAKE_STATE/installed" ] || return 0
  if [ ! -d "$FAKE_STATE/parent-secrets" ]; then
    mkdir -p "$FAKE_STATE/parent-secrets"
    local ca s
    ca=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
    for s in karmada-cert etcd-cert karmada-kubeconfig; do
      printf '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s","namespace":"karmada-system","resourceVersion":"4711","uid":"0b1c"},"type":"Opaque","data":{"ca.crt":"%s"}}\n' \
        "$s" "$ca" >"$FAKE_STATE/parent-secrets/$s.json"
    done
  fi
  if [ ! -d "$FAKE_STATE/deployments" ]; then
    mkdir -p "$FAKE_STATE/deployments" "$FAKE_STATE/images"
    echo 3 >"$FAKE_STATE/deployments/karmada-apiserver"
    for d in karmada-aggregated-apiserver karmada-controller-manager karmada-scheduler karmada-webhook \
      kube-controller-manager; do
      echo 2 >"$FAKE_STATE/deployments/$d"
    done
    # The images init gives them (cmdinit/kubernetes/deploy.go): Kubernetes at --kube-image-tag, Karmada at the
    # release of the kubectl-karmada that ran init.
    local release
    release=$(cat "$FAKE_STATE/karmada-release" 2>/dev/null || echo v1.18.2)
    echo registry.k8s.io/kube-apiserver:v1.35.2 >"$FAKE_STATE/images/karmada-apiserver"
    echo registry.k8s.io/kube-controller-manager:v1.35.2 >"$FAKE_STATE/images/kube-controller-manager"
    for d in karmada-aggregated-apiserver karmada-controller-manager karmada-scheduler karmada-webhook; do
      echo "docker.io/karmada/$d:$release" >"$FAKE_STATE/images/$d"
    done
  fi
}

claim_of() { sed -n 's/^claim=//p' "$FAKE_STATE/pods/$1" 2>/dev/null; }

parent_objects
case "$*" in
  "get pods -l app=etcd -o jsonpath="*)
    n=$(etcd_scale)
    for ((i = 0; i < n; i++)); do
      if [ -f "$FAKE_STATE/etcd-down" ]; then echo "etcd-$i|False"; else echo "etcd-$i|True"; fi
    done
    exit 0
    ;;
  "get pods -l app=etcd -o name")
    n=$(etcd_scale)
    for ((i = 0; i < n; i++)); do echo "pod/etcd-$i"; done
    exit 0
    ;;
  "port-forward pod/etcd-"*" :2379")
    pod=${2#pod/}
    if [ "${pod#etcd-}" -ge "$(etcd_scale)" ]; then
      echo "Error from server (NotFound): pods \"$pod\" not found" >&2
      exit 1
    fi
    echo "Forwarding from 127.0.0.1:${FAKE_ETCD_PORT:-23790} -> 2379"
    echo "Forwarding from [::1]:${FAKE_ETCD_PORT:-23790} -> 2379"
    exec sleep 600
    ;;
  "get secrets --field-selector type!=kubernetes.io/service-account-token -o name")
    for f in "$FAKE_STATE"/parent-secrets/*.json; do
      [ -f "$f" ] || continue
      echo "secret/$(basename "$f" .json)"
    done
    exit 0
    ;;
  "get secret/"*" -o json")
    f=$FAKE_STATE/parent-secrets/${2#secret/}.json
    [ -f "$f" ] || not_found "secrets \"${2#secret/}\""
    cat "$f"
    exit 0
    ;;
  "apply --server-side --force-conflicts -f "*)
    for f in "$5"/*.json; do
      grep -Eq '"kind": *"Secret"' "$f" || { echo "error: $f is not a Secret" >&2; exit 1; }
      ! grep -q '"resourceVersion"' "$f" ||
        { echo "Error from server (Conflict): metadata.resourceVersion: Invalid value: 0x0: must be specified for an update" >&2; exit 1; }
      cp "$f" "$FAKE_STATE/parent-secrets/$(basename "$f")"
      echo "secret/$(basename "$f" .json) serverside-applied"
    done
    exit 0
    ;;
  "get deployments -o jsonpath={range .items[*]}{.metadata.name}|{.spec.replicas}"*)
    for f in "$FAKE_STATE"/deployments/*; do
      [ -f "$f" ] || continue
      echo "$(basename "$f")|$(cat "$f")"
    done
    exit 0
    ;;
  "get deployments -o jsonpath={range .items[*]}{.metadata.name}|{.spec.template.spec.containers[0].image}"*)
    for f in "$FAKE_STATE"/deployments/*; do
      [ -f "$f" ] || continue
      echo "$(basename "$f")|$(cat "$FAKE_STATE/images/$(basename "$f")")"
    done
    exit 0
    ;;
  "scale deployment "*" --replicas="*)
    [ -f "$FAKE_STATE/deployments/$3" ] || not_found "deployments.apps \"$3\""
    echo "${4#--replicas=}" >"$FAKE_STATE/deployments/$3"
    if [ "$3" = karmada-apiserver ] && [ "${4#--replicas=}" = 0 ]; then touch "$FAKE_STATE/apiserver-stopped"; fi
    if [ "$3" = karmada-apiserver ] && [ "${4#--replicas=}" != 0 ]; then rm -f "$FAKE_STATE/apiserver-stopped"; fi
    echo "deployment.apps/$3 scaled"
    exit 0
    ;;
  "scale statefulset etcd --replicas="*)
    echo "${4#--replicas=}" >"$FAKE_STATE/etcd-scale"
    echo "statefulset.apps/etcd scaled"
    exit 0
    ;;
  "get statefulset etcd -o jsonpath={.spec.replicas}")
    printf '%s' "$(etcd_scale)"
    exit 0
    ;;
  "get statefulset etcd -o jsonpath={.status.readyReplicas}")
    [ -f "$FAKE_STATE/etcd-down" ] || printf '%s' "$(etcd_scale)"
    exit 0
    ;;
  "get statefulset etcd -o jsonpath={.spec.template.spec.containers[0].command}")
    n=$(sed -n 's/.*"replicas": *\([0-9]*\).*/\1/p' "$FAKE_STATE/etcd-statefulset.json" 2>/dev/null | head -n 1)
    cluster=
    for ((i = 0; i < ${n:-3}; i++)); do
      cluster+="${cluster:+,}etcd-$i=http://etcd-$i.etcd.karmada-system.svc.cluster.local:2380"
    done
    printf '["/usr/local/bin/etcd","--name=$(POD_NAME)","--initial-cluster=%s","--initial-cluster-state=new","--client-cert-auth=true","--initial-cluster-token=etcd-cluster","--peer-client-cert-auth=false"]' "$cluster"
    exit 0
    ;;
  "apply -f -")
    manifest=$(cat)
    pod=$(sed -n 's/^  name: //p' <<<"$manifest" | head -n 1)
    claim=$(sed -n 's/^ *claimName: //p' <<<"$manifest")
    grep -q '^kind: Pod$' <<<"$manifest" && [[ -n $pod && -n $claim ]] || { echo "error: no Pod in the manifest" >&2; exit 1; }
    mkdir -p "$FAKE_STATE/pods"
    printf 'claim=%s\n' "$claim" >"$FAKE_STATE/pods/$pod"
    echo "pod/$pod created"
    exit 0
    ;;
  "wait --for=condition=Ready pod/"*)
    pod=${3#pod/}
    claim=$(claim_of "$pod")
    [ -n "$claim" ] || not_found "pods \"$pod\""
    member=${claim#etcd-data-etcd-}
    if [ "$member" -lt "$(etcd_scale)" ]; then
      echo "error: timed out waiting for the condition on pods/$pod" >&2
      exit 1
    fi
    echo "pod/$pod condition met"
    exit 0
    ;;
  "exec -i "*" -- sh -c "*)
    claim=$(claim_of "$3")
    [ -n "$claim" ] || not_found "pods \"$3\""
    volume=$FAKE_STATE/pvc/$claim
    mkdir -p "$volume"
    script=${*:7}
    real sh -c "${script//\/var\/lib\/karmada-etcd/$volume}"
    exit $?
    ;;
  "delete pod "*" --wait=true")
    [ -f "$FAKE_STATE/pods/$3" ] || not_found "pods \"$3\""
    rm -f "$FAKE_STATE/pods/$3"
    echo "pod \"$3\" deleted"
    exit 0
    ;;
esac
