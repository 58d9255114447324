#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""A camera's RTSP server for the lab: GStreamer's RTSP server library (gst-rtsp-server, the one in many camera
SDKs) serving a test pattern at rtsp://ADDRESS:PORT/PATH. Usage: rtsp_server.py ADDRESS PORT PATH"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main():
    address, port, path = sys.argv[1], sys.argv[2], sys.argv[3]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(address)
    server.set_service(port)
    factory = GstRtspServer.RTSPMediaFactory()
    # A small raw-video test pattern: plugins-base only, no encoder needed.
    factory.set_launch("( videotestsrc is-live=true ! video/x-raw,width=64,height=48,framerate=5/1 "
                       "! rtpvrawpay name=pay0 pt=96 )")
    factory.set_shared(True)
    server.get_mount_points().add_factory("/" + path.lstrip("/"), factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp_server: cannot listen on {address}:{port}")
    print(f"rtsp_server: rtsp://{address}:{port}/{path.lstrip('/')}", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
