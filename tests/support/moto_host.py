"""The management host as Systems Manager sees it, for the lifecycle tests (imported by moto_server.py).

moto 5.2.5 has no DescribeInstanceInformation (an HTTP 500), so `deploy` cannot find the host it must ask to
unjoin members before their access entries go. A real host runs the SSM agent (the Amazon Linux 2023 AMI ships
it; the host's role allows ssm:UpdateInstanceInformation), so here every running EC2 instance of the region is a
managed instance, PingStatus Online; a pending, stopping or stopped one is listed as ConnectionLost, and a
terminated one not at all. SendCommand to an instance that is not managed (unknown or terminated) is refused with
InvalidInstanceId, as Systems Manager refuses it.
The commands themselves are moto's: each invocation ends Success with empty output. The host's scripts are not
run here (tests/bootstrap_*.rs run them); the tests check which commands were sent, and when.
"""

import json

from moto.ec2 import models as ec2_models
from moto.ssm import responses as ssm_responses
from moto.ssm.exceptions import SSMException


class InvalidInstanceId(SSMException):
    def __init__(self, instance_id):
        super().__init__("InvalidInstanceId", f"Instances [[{instance_id}]] not in a valid state for account")


def _managed(account_id, region):
    ec2 = ec2_models.ec2_backends[account_id][region]
    return {i.id: i for r in ec2.reservations.values() for i in r.instances if i.state != "terminated"}


def _describe_instance_information(self):
    wanted = None
    for f in self._get_param("Filters", []) or []:
        if f.get("Key") == "InstanceIds":
            wanted = set(f.get("Values", []))
    for f in self._get_param("InstanceInformationFilterList", []) or []:
        if f.get("key") == "InstanceIds":
            wanted = set(f.get("valueSet", []))
    listed = [
        {"InstanceId": i.id, "PingStatus": "Online" if i.state == "running" else "ConnectionLost",
         "PlatformType": "Linux", "PlatformName": "Amazon Linux",
         "ResourceType": "EC2Instance", "AgentVersion": "3.3.0.0", "IsLatestVersion": True,
         "IPAddress": i.private_ip}
        for i in _managed(self.current_account, self.region).values() if wanted is None or i.id in wanted
    ]
    return json.dumps({"InstanceInformationList": listed})


_send_command = ssm_responses.SimpleSystemManagerResponse.send_command


def _send_command_to_managed(self):
    managed = _managed(self.current_account, self.region)
    for instance_id in self._get_param("InstanceIds", []) or []:
        if instance_id not in managed:
            raise InvalidInstanceId(instance_id)
    return _send_command(self)


ssm_responses.SimpleSystemManagerResponse.describe_instance_information = _describe_instance_information
ssm_responses.SimpleSystemManagerResponse.send_command = _send_command_to_managed
