#!/usr/bin/python3
"""A Redfish service stand-in over HTTPS for tests/pollsnmp.bats.

redfishd.py CERT KEY USER:PASSWORD THERMAL.json POWER.json [TIMEOUT]

Serves the DMTF resources a BMC serves (DSP0266, DSP0268): the service
root, the Chassis collection with chassis 1U (Status.Health OK, links to
its Thermal and Power, whose bodies are the given files with their
@odata.id set), and the Systems collection with system 1 (Status.Health
Warning). Every request needs Basic authentication with USER:PASSWORD
(401 otherwise, as a BMC answers). Prints its port, then each request's
path to standard error; exits after TIMEOUT seconds (60) or when its
parent is gone.
"""
import base64
import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def load(path, odata_id):
    with open(path) as f:
        doc = json.load(f)
    doc["@odata.id"] = odata_id
    return doc


def resources(thermal, power):
    return {
        "/redfish/v1/": {
            "@odata.type": "#ServiceRoot.v1_5_0.ServiceRoot", "@odata.id": "/redfish/v1/",
            "Id": "RootService", "RedfishVersion": "1.6.0",
            "Chassis": {"@odata.id": "/redfish/v1/Chassis"},
            "Systems": {"@odata.id": "/redfish/v1/Systems"},
        },
        "/redfish/v1/Chassis": {
            "@odata.type": "#ChassisCollection.ChassisCollection",
            "@odata.id": "/redfish/v1/Chassis",
            "Members": [{"@odata.id": "/redfish/v1/Chassis/1U"}], "Members@odata.count": 1,
        },
        "/redfish/v1/Chassis/1U": {
            "@odata.type": "#Chassis.v1_10_0.Chassis", "@odata.id": "/redfish/v1/Chassis/1U",
            "Id": "1U", "ChassisType": "RackMount",
            "Status": {"State": "Enabled", "Health": "OK", "HealthRollup": "OK"},
            "Thermal": {"@odata.id": "/redfish/v1/Chassis/1U/Thermal"},
            "Power": {"@odata.id": "/redfish/v1/Chassis/1U/Power"},
        },
        "/redfish/v1/Chassis/1U/Thermal": load(thermal, "/redfish/v1/Chassis/1U/Thermal"),
        "/redfish/v1/Chassis/1U/Power": load(power, "/redfish/v1/Chassis/1U/Power"),
        "/redfish/v1/Systems": {
            "@odata.type": "#ComputerSystemCollection.ComputerSystemCollection",
            "@odata.id": "/redfish/v1/Systems",
            "Members": [{"@odata.id": "/redfish/v1/Systems/1"}], "Members@odata.count": 1,
        },
        "/redfish/v1/Systems/1": {
            "@odata.type": "#ComputerSystem.v1_10_0.ComputerSystem",
            "@odata.id": "/redfish/v1/Systems/1", "Id": "1", "PowerState": "On",
            "Status": {"State": "Enabled", "Health": "Warning", "HealthRollup": "Warning"},
        },
    }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if code == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="redfish"')
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        sys.stderr.write(self.path + "\n")
        sys.stderr.flush()
        want = "Basic " + base64.b64encode(self.server.creds.encode()).decode()
        if self.headers.get("Authorization") != want:
            self.reply(401, {"error": {"code": "Base.1.0.NoValidSession",
                                       "message": "authentication required"}})
            return
        path = self.path.split("?")[0]
        if path == "/redfish/v1":
            path = "/redfish/v1/"
        doc = self.server.docs.get(path)
        if doc is None:
            self.reply(404, {"error": {"code": "Base.1.0.ResourceMissingAtURI"}})
        else:
            self.reply(200, doc)


def watchdog(parent, deadline):
    while True:
        if os.getppid() != parent or time.monotonic() > deadline:
            os._exit(0)
        time.sleep(0.2)


def main():
    cert, key, creds, thermal, power = sys.argv[1:6]
    timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 60.0
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.creds = creds
    srv.docs = resources(thermal, power)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    threading.Thread(target=watchdog, args=(os.getppid(), time.monotonic() + timeout),
                     daemon=True).start()
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
