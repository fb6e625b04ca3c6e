# shellcheck shell=bash
# The kubectl stand-in's answers to the upgrade calls (sourced by `kubectl` after it parsed --kubeconfig and -n;
# it exits when one matched). Karmada's CRDs ($FAKE_STATE/crds/<name>, from init on: the bases the release's
# crds.tar.gz holds) change by server-side apply of a folder and by a strategic merge patch, which must come with
# every init placeholder filled in ($FAKE_STATE/crd-patches/<name> keeps it); a Deployment's image
# ($FAKE_STATE/images/<name> in the parent's karmada-system, the agent's Deployment file in a member) changes by
# `set image`, each change appended to $FAKE_STATE/upgrades as "<kind> <name> <image>".

case "$*" in
  "apply --server-side --force-conflicts --field-manager karmada-eks -R -f "*)
    karmada_api
    mkdir -p "$FAKE_STATE/crds"
    while read -r f; do
      name=$(sed -n 's/^  name: //p' "$f" | head -n 1)
      grep -q '^kind: CustomResourceDefinition$' "$f" && [ -n "$name" ] || { echo "error: $f is no CRD" >&2; exit 1; }
      cp "$f" "$FAKE_STATE/crds/$name"
      echo "crd $name $(sed -n 's/^  group: //p' "$f" | head -n 1)" >>"$FAKE_STATE/upgrades"
      echo "customresourcedefinition.apiextensions.k8s.io/$name serverside-applied"
    done < <(find "${*: -1}" -name '*.yaml' | sort)
    exit 0
    ;;
  "patch crd "*" --type strategic --patch-file "*)
    karmada_api
    [ -f "$FAKE_STATE/crds/$3" ] || not_found "customresourcedefinitions.apiextensions.k8s.io \"$3\""
    ! grep -q '{{' "$7" || { echo "error: unable to parse \"{{\": the patch has a placeholder left" >&2; exit 1; }
    mkdir -p "$FAKE_STATE/crd-patches"
    cp "$7" "$FAKE_STATE/crd-patches/$3"
    echo "patch $3" >>"$FAKE_STATE/upgrades"
    echo "customresourcedefinition.apiextensions.k8s.io/$3 patched"
    exit 0
    ;;
  "set image deployment/"*)
    name=${3#deployment/}
    image=${4#"$name"=}
    [ "$image" != "$4" ] || { echo "error: unable to find container named \"${4%%=*}\"" >&2; exit 1; }
    case $kubeconfig in
      */kube/*.kubeconfig) f=$FAKE_STATE/member/$context/deployment_$name ;;
      *) f=$FAKE_STATE/images/$name ;;
    esac
    [ -f "$f" ] || not_found "deployments.apps \"$name\""
    echo "$image" >"$f"
    echo "deployment ${context:-$name} $image" >>"$FAKE_STATE/upgrades"
    echo "deployment.apps/$name image updated"
    exit 0
    ;;
esac
if [[ $kubeconfig == *parent* ]] && [ "$namespace" = karmada-system ]; then
  case "$*" in
    "get deployment "*" -o jsonpath={.spec.template.spec.containers[0].image}")
      [ -f "$FAKE_STATE/images/$3" ] || not_found "deployments.apps \"$3\""
      cat "$FAKE_STATE/images/$3"
      exit 0
      ;;
  esac
fi
if [[ $kubeconfig == */kube/*.kubeconfig ]]; then
  case "$*" in
    "get deployment karmada-agent --ignore-not-found -o jsonpath={.spec.template.spec.containers[0].image}")
      cat "$FAKE_STATE/member/$context/deployment_karmada-agent" 2>/dev/null || true
      exit 0
      ;;
    "rollout status deployment/karmada-agent "*)
      [ -f "$FAKE_STATE/member/$context/deployment_karmada-agent" ] || not_found "deployments.apps \"karmada-agent\""
      echo "deployment \"karmada-agent\" successfully rolled out"
      exit 0
      ;;
  esac
fi
