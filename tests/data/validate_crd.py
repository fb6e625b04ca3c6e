"""Validates Kubernetes manifests against the OpenAPI v3 schema of a CustomResourceDefinition.

Usage: validate_crd.py CRD.yaml MANIFEST.yaml...

Each document must have the CRD's group/version and kind and match its schema. Objects that declare properties
reject fields they do not declare (kubectl's strict field validation), unless the schema preserves unknown fields.
Prints one line per problem and exits 1 when there is any; needs PyYAML and jsonschema (bin/setup-tools).
"""

import sys

import jsonschema
import yaml


def strict(schema):
    if isinstance(schema, dict):
        out = {k: strict(v) for k, v in schema.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [strict(v) for v in schema]
    return schema


def main(crd_path, manifests):
    with open(crd_path, encoding="utf-8") as f:
        crd = yaml.safe_load(f)
    group = crd["spec"]["group"]
    kind = crd["spec"]["names"]["kind"]
    problems = []
    checked = 0
    for path in manifests:
        with open(path, encoding="utf-8") as f:
            docs = [d for d in yaml.safe_load_all(f) if d is not None]
        for doc in docs:
            if doc.get("kind") != kind:
                continue
            checked += 1
            group_version, _, version = doc.get("apiVersion", "").partition("/")
            served = {v["name"]: v for v in crd["spec"]["versions"] if v.get("served")}
            if group_version != group or version not in served:
                problems.append(f"{path}: apiVersion {doc.get('apiVersion')!r} is not served by the CRD")
                continue
            schema = strict(served[version]["schema"]["openAPIV3Schema"])
            validator = jsonschema.Draft7Validator(schema)
            for error in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
                where = ".".join(str(p) for p in error.path) or "(root)"
                problems.append(f"{path}: {where}: {error.message}")
    if checked == 0:
        problems.append(f"no {kind} found in {', '.join(manifests)}")
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
