#!/usr/bin/python3
"""RTSP test server for the vigil plugin tests: serves H.264 on 127.0.0.1 only.

    /usr/bin/python3 tests/plugins/rtsp_server.py --port 8554 --mount /cam
    /usr/bin/python3 tests/plugins/rtsp_server.py --port 8554 --file ~/.cache/vigil/vtest.avi

The stream is videotestsrc (a moving ball, live) or a decoded file, encoded with
x264enc (gstreamer1.0-plugins-ugly) or, where that is missing, openh264enc
(gstreamer1.0-plugins-bad). Prints "READY rtsp://127.0.0.1:PORT/MOUNT" on stdout once
it listens, and exits cleanly on SIGTERM or SIGINT. Needs python3-gi and
gir1.2-gst-rtsp-server-1.0 (Debian), hence /usr/bin/python3 rather than a virtualenv.
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def encoder(fps):
    """An H.264 encoder description tuned for low latency, or None when none is installed."""
    if Gst.ElementFactory.find("x264enc"):
        return (f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps} "
                "bitrate=1000")
    if Gst.ElementFactory.find("openh264enc"):
        return f"openh264enc gop-size={fps} bitrate=1000000"
    return None


def launch_line(args):
    enc = encoder(args.fps)
    if enc is None:
        sys.exit("rtsp_server: no H.264 encoder (install gstreamer1.0-plugins-ugly for x264enc)")
    if args.file:
        uri = Gst.filename_to_uri(args.file)
        source = (f"uridecodebin uri={uri} ! videoconvert ! videoscale ! videorate ! "
                  f"video/x-raw,format=I420,width={args.width},height={args.height},"
                  f"framerate={args.fps}/1")
    else:
        source = (f"videotestsrc is-live=true pattern=ball ! "
                  f"video/x-raw,format=I420,width={args.width},height={args.height},"
                  f"framerate={args.fps}/1")
    return f"( {source} ! {enc} ! h264parse ! rtph264pay name=pay0 pt=96 config-interval=1 )"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="TCP port on 127.0.0.1")
    parser.add_argument("--mount", default="/cam", help="path of the stream (default /cam)")
    parser.add_argument("--file", help="serve this video file instead of videotestsrc")
    parser.add_argument("--width", type=int, default=320)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--user", help="require this user name (basic authentication)")
    parser.add_argument("--password", help="and this password")
    args = parser.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(launch_line(args))
    factory.set_shared(True)

    if args.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "viewer")
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password or ""), token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_role_from_structure(Gst.Structure.new_from_string(
            f"viewer, {GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS}=(boolean)true, "
            f"{GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT}=(boolean)true"))
        factory.set_permissions(permissions)

    server.get_mount_points().add_factory(args.mount, factory)
    if server.attach(None) == 0:
        sys.exit(f"rtsp_server: cannot listen on 127.0.0.1:{args.port}")

    loop = GLib.MainLoop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signum, loop.quit)
    print(f"READY rtsp://127.0.0.1:{args.port}{args.mount}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
