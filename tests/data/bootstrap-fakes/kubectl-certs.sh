# shellcheck shell=bash
# The kubectl stand-in's answers to the certificate calls (sourced by `kubectl` after it parsed --kubeconfig and
# -n; it exits when one matched), on the parent's karmada-system: its Secrets ($FAKE_STATE/parent-secrets/, made by
# the init stand-in with real certificates) read as `-o jsonpath={.data}` prints a map (compact JSON) and changed by
# `patch secret --type merge`; a merge patch of a StatefulSet's or Deployment's pod template annotations starts a
# rollout when it changes them, as the controllers do, and appends "<kind>/<name>" to $FAKE_STATE/rollouts;
# `rollout status` reports it done.

certs_merge() {
  real python3 -c '
import json, sys
def merge(target, patch):
    if not isinstance(patch, dict):
        return patch
    target = dict(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            target.pop(k, None)
        else:
            target[k] = merge(target.get(k), v)
    return target
path, patch = sys.argv[1], json.loads(sys.argv[2])
try:
    doc = json.load(open(path))
except FileNotFoundError:
    doc = {}
new = merge(doc, patch)
json.dump(new, open(path, "w"))
print("changed" if new != doc else "unchanged")
' "$1" "$2"
}

if [ "$namespace" = karmada-system ] && [[ $kubeconfig == *parent* ]]; then
  case "$*" in
    "get secret "*" -o jsonpath={.data}")
      f=$FAKE_STATE/parent-secrets/$3.json
      if [ ! -f "$f" ]; then
        has --ignore-not-found && exit 0
        not_found "secrets \"$3\""
      fi
      real python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["data"], separators=(",", ":")), end="")' "$f"
      exit 0
      ;;
    "patch secret "*" --type merge -p "*)
      f=$FAKE_STATE/parent-secrets/$3.json
      [ -f "$f" ] || not_found "secrets \"$3\""
      [ "$(certs_merge "$f" "$7")" = changed ] && echo "secret/$3 patched" || echo "secret/$3 patched (no change)"
      exit 0
      ;;
    "patch statefulset etcd --type merge -p "* | "patch deployment "*" --type merge -p "*)
      [ -f "$FAKE_STATE/installed" ] || not_found "$2 \"$3\""
      [ "$2" != deployment ] || [ -f "$FAKE_STATE/deployments/$3" ] || not_found "deployments.apps \"$3\""
      mkdir -p "$FAKE_STATE/templates"
      if [ "$(certs_merge "$FAKE_STATE/templates/$2_$3.json" "$7")" = changed ]; then
        echo "$2/$3" >>"$FAKE_STATE/rollouts"
        echo "$2.apps/$3 patched"
      else
        echo "$2.apps/$3 patched (no change)"
      fi
      exit 0
      ;;
    "rollout status "*)
      echo "${3#*/} successfully rolled out"
      exit 0
      ;;
  esac
fi
