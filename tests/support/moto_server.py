"""Starts moto's server with a fix for one emulator bug the deploy tests meet.

moto 5.2.5 hands an AWS::KMS::Key's CloudFormation `Tags` ([{"Key", "Value"}], the real format) to its KMS
tagger, which expects the KMS API's [{"TagKey", "TagValue"}] and fails the whole ExecuteChangeSet with a
KeyError. The templates keep AWS's format; this translates at moto's entry point only.
"""

import sys

from moto.kms import models
from moto.server import main

_create = models.Key.create_from_cloudformation_json.__func__


def _create_with_cfn_tags(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    properties["Tags"] = [
        {"TagKey": t["Key"], "TagValue": t["Value"]} if "Key" in t else t for t in properties.get("Tags", [])
    ]
    return _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


models.Key.create_from_cloudformation_json = classmethod(_create_with_cfn_tags)

if __name__ == "__main__":
    main(sys.argv[1:])
