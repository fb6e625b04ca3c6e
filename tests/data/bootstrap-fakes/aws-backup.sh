# shellcheck shell=bash
# The aws stand-in's answers to the backup and restore calls (sourced by `aws`, which exits when one matched):
# the backup stack's bucket (absent with $FAKE_NO_BACKUP_STACK), the cluster stack's endpoint and addresses
# ($FAKE_STATE/nlb-dns and nlb-ips, else the harness's $FAKE_NLB_DNS and $FAKE_NLB_IPS), and S3 objects of
# that bucket in $FAKE_STATE/s3/<bucket>/<key>; another bucket answers NoSuchBucket, a missing key 404, as S3 does.
BACKUP_BUCKET=${FAKE_BACKUP_BUCKET:-karmada-backup-backups1f3bca6c-1x2y3z4w5v6u}

# The local file of s3://BUCKET/KEY $1; fails like the CLI for another bucket.
s3_object() {
  local rest=${1#s3://}
  if [ "${rest%%/*}" != "$BACKUP_BUCKET" ]; then
    echo "An error occurred (NoSuchBucket) when calling the PutObject operation: The specified bucket does not exist" >&2
    return 1
  fi
  S3_FILE=$FAKE_STATE/s3/$BACKUP_BUCKET/${rest#*/}
}

case "$1 $2" in
  "cloudformation describe-stacks")
    case "$(flag stack-name "$@") $(flag query "$@")" in
      *-backup\ *BackupBucketName*)
        if [ -n "${FAKE_NO_BACKUP_STACK:-}" ]; then
          echo "An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id" \
            "$(flag stack-name "$@") does not exist" >&2
          exit 254
        fi
        echo "$BACKUP_BUCKET"
        exit 0
        ;;
      *KarmadaApiEndpoint*KarmadaApiAddresses*)
        # [OutputKey,OutputValue] rows, as --output text prints them; an internal NLB's stack has no addresses.
        printf 'KarmadaApiEndpoint\thttps://%s:32443\n' "$(cat "$FAKE_STATE/nlb-dns" 2>/dev/null || echo "$FAKE_NLB_DNS")"
        ips=$(cat "$FAKE_STATE/nlb-ips" 2>/dev/null || echo "$FAKE_NLB_IPS")
        [ -z "$ips" ] || printf 'KarmadaApiAddresses\t%s\n' "$ips"
        exit 0
        ;;
      *KarmadaApiEndpoint*)
        echo "https://$(cat "$FAKE_STATE/nlb-dns" 2>/dev/null || echo "$FAKE_NLB_DNS"):32443"
        exit 0
        ;;
    esac
    ;;
  "s3 cp")
    positional=()
    for a in "${@:3}"; do
      case $a in
        --only-show-errors) ;;
        -*) echo "aws s3 cp stand-in: unexpected option $a" >&2; exit 2 ;;
        *) positional+=("$a") ;;
      esac
    done
    [ "${#positional[@]}" = 2 ] || { echo "aws: error: the following arguments are required: paths" >&2; exit 252; }
    if [[ ${positional[1]} == s3://* ]]; then
      s3_object "${positional[1]}" || exit 1
      [ -f "${positional[0]}" ] || { echo "The user-provided path ${positional[0]} does not exist." >&2; exit 255; }
      mkdir -p "$(dirname "$S3_FILE")"
      cp "${positional[0]}" "$S3_FILE"
    else
      s3_object "${positional[0]}" || exit 1
      if [ ! -f "$S3_FILE" ]; then
        echo "fatal error: An error occurred (404) when calling the HeadObject operation: Key \"${positional[0]#s3://*/}\" does not exist" >&2
        exit 1
      fi
      cp "$S3_FILE" "${positional[1]}"
    fi
    exit 0
    ;;
  "s3api list-objects-v2")
    s3_object "s3://$(flag bucket "$@")/" || exit 254
    newest=$(cd "$FAKE_STATE/s3/$BACKUP_BUCKET" 2>/dev/null && find . -type f -path "./$(flag prefix "$@")*" |
      sed 's#^\./##' | sort | tail -n 1)
    echo "${newest:-None}"
    exit 0
    ;;
esac
