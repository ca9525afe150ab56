"""An Eclipse Paho (python3-paho-mqtt) client driven line by line, for the conformance tests (PyPaho.java).

    /usr/bin/python3 paho_client.py host=127.0.0.1 port=1883 version=5 id=client-1 [clean=1] [keepalive=30]
        [expiry=60] [receivemax=2] [maxpacket=512] [aliasmax=2]
        [will.topic=t will.payload=p will.qos=1 will.retain=0 will.delay=5]

Every line, in and out, is tab-separated: a word, then key=value fields whose values are percent-encoded
(urllib.parse.quote, safe=''); a user property is user=<name>:<value> (each part percent-encoded). Keys may repeat.

Commands (stdin):  subscribe filter= qos= [nolocal=1] [rap=1] [rh=0|1|2] [subid=n]
                   unsubscribe filter=
                   publish topic= payload= qos= [retain=1] [pfi=0|1] [expiry=s] [ctype=] [rtopic=] [corr=hex] [user=n:v]...
                   disconnect [reason=n] [expiry=s]
Events (stdout):   connack rc= present= [assigned=] [ska=] [rm=] [mps=] [tam=]
                   suback codes=1,2     unsuback [codes=0,17]     published mid=
                   message topic= qos= retain= payload= [pfi=] [expiry=] [ctype=] [rtopic=] [corr=] [user=]... [subid=]...
                   disconnected rc=     error what=
Publishing waits for the PUBACK/PUBCOMP; every wait is bounded (10 s). Ends (with DISCONNECT) at stdin's end or 'disconnect'.
"""
import sys
import threading
import urllib.parse

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCodes
from paho.mqtt.subscribeoptions import SubscribeOptions

WAIT = 10.0
OUT = threading.Lock()


def q(value):
    return urllib.parse.quote(str(value), safe='')


def emit(word, *fields):
    line = "\t".join([word] + ["%s=%s" % (k, q(v)) for k, v in fields if v is not None])
    with OUT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def parse(line):
    parts = line.rstrip("\n").split("\t")
    fields = []
    for token in parts[1:]:
        if "=" in token:
            k, v = token.split("=", 1)
            fields.append((k, v if k == "user" else urllib.parse.unquote(v)))
    return parts[0], fields


def first(fields, key, default=None):
    for k, v in fields:
        if k == key:
            return v
    return default


def code(rc):
    return getattr(rc, "value", rc)


def props_fields(props):
    if props is None:
        return []
    out = []
    for name, key in (("PayloadFormatIndicator", "pfi"), ("MessageExpiryInterval", "expiry"), ("ContentType", "ctype"),
                      ("ResponseTopic", "rtopic")):
        if hasattr(props, name):
            out.append((key, getattr(props, name)))
    if hasattr(props, "CorrelationData"):
        out.append(("corr", bytes(props.CorrelationData).hex()))
    return out


def user_tokens(props):
    if props is None or not hasattr(props, "UserProperty"):
        return []
    return ["user=%s:%s" % (q(n), q(v)) for n, v in props.UserProperty]


def main():
    args = dict(a.split("=", 1) for a in sys.argv[1:])
    v5 = args.get("version", "5") == "5"
    clean = args.get("clean", "1") == "1"
    connected = threading.Event()
    acks = {}

    def ack_event(mid):
        return acks.setdefault(mid, threading.Event())

    if v5:
        client = mqtt.Client(client_id=args.get("id", ""), protocol=mqtt.MQTTv5, reconnect_on_failure=False)
    else:
        client = mqtt.Client(client_id=args.get("id", ""), clean_session=clean, protocol=mqtt.MQTTv311,
                             reconnect_on_failure=False)

    def on_connect(c, userdata, flags, rc, properties=None):
        fields = [("rc", code(rc)), ("present", flags.get("session present", 0))]
        if properties is not None:
            for name, key in (("AssignedClientIdentifier", "assigned"), ("ServerKeepAlive", "ska"),
                              ("ReceiveMaximum", "rm"), ("MaximumPacketSize", "mps"), ("TopicAliasMaximum", "tam")):
                if hasattr(properties, name):
                    fields.append((key, getattr(properties, name)))
        emit("connack", *fields)
        connected.set()

    def on_subscribe(c, userdata, mid, granted, properties=None):
        emit("suback", ("codes", ",".join(str(code(g)) for g in granted)))
        ack_event(mid).set()

    def on_unsubscribe(c, userdata, mid, properties=None, reasons=None):
        if isinstance(reasons, list):
            emit("unsuback", ("codes", ",".join(str(code(r)) for r in reasons)))
        elif reasons is not None:
            emit("unsuback", ("codes", code(reasons)))
        else:
            emit("unsuback")
        ack_event(mid).set()

    def on_message(c, userdata, msg):
        props = getattr(msg, "properties", None)
        fields = [("topic", msg.topic), ("qos", msg.qos), ("retain", int(msg.retain)),
                  ("payload", msg.payload.decode("utf-8", "replace"))] + props_fields(props)
        line = "\t".join(["message"] + ["%s=%s" % (k, q(v)) for k, v in fields] + user_tokens(props)
                         + ["subid=%d" % i for i in (getattr(props, "SubscriptionIdentifier", []) if props else [])])
        with OUT:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def on_disconnect(c, userdata, rc, properties=None):
        emit("disconnected", ("rc", code(rc)))

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_unsubscribe = on_unsubscribe
    client.on_message = on_message
    client.on_disconnect = on_disconnect

    if "will.topic" in args:
        will_props = None
        if v5 and "will.delay" in args:
            will_props = Properties(PacketTypes.WILLMESSAGE)
            will_props.WillDelayInterval = int(args["will.delay"])
        client.will_set(args["will.topic"], args.get("will.payload", ""), int(args.get("will.qos", "0")),
                        args.get("will.retain", "0") == "1", properties=will_props)

    keepalive = int(args.get("keepalive", "30"))
    try:
        if v5:
            props = Properties(PacketTypes.CONNECT)
            for key, name in (("expiry", "SessionExpiryInterval"), ("receivemax", "ReceiveMaximum"),
                              ("maxpacket", "MaximumPacketSize"), ("aliasmax", "TopicAliasMaximum")):
                if key in args:
                    setattr(props, name, int(args[key]))
            client.connect(args["host"], int(args["port"]), keepalive, clean_start=clean,
                           properties=props if not props.isEmpty() else None)
        else:
            client.connect(args["host"], int(args["port"]), keepalive)
    except Exception as e:  # refused locally or by the network
        emit("error", ("what", "connect: %r" % e))
        return 1
    client.loop_start()
    if not connected.wait(WAIT):
        emit("error", ("what", "no CONNACK within %s s" % WAIT))
        return 1

    ended = False
    for line in sys.stdin:
        word, fields = parse(line)
        if not word:
            continue
        try:
            if word == "subscribe":
                qos = int(first(fields, "qos", "0"))
                props = None
                if v5:
                    options = SubscribeOptions(qos=qos, noLocal=first(fields, "nolocal") == "1",
                                               retainAsPublished=first(fields, "rap") == "1",
                                               retainHandling=int(first(fields, "rh", "0")))
                    if first(fields, "subid") is not None:
                        props = Properties(PacketTypes.SUBSCRIBE)
                        props.SubscriptionIdentifier = int(first(fields, "subid"))
                    rc, mid = client.subscribe(first(fields, "filter"), options=options, properties=props)
                else:
                    rc, mid = client.subscribe(first(fields, "filter"), qos)
                if not ack_event(mid).wait(WAIT):
                    emit("error", ("what", "no SUBACK"))
            elif word == "unsubscribe":
                rc, mid = client.unsubscribe(first(fields, "filter"))
                if not ack_event(mid).wait(WAIT):
                    emit("error", ("what", "no UNSUBACK"))
            elif word == "publish":
                props = None
                if v5:
                    props = Properties(PacketTypes.PUBLISH)
                    for key, name in (("pfi", "PayloadFormatIndicator"), ("expiry", "MessageExpiryInterval")):
                        if first(fields, key) is not None:
                            setattr(props, name, int(first(fields, key)))
                    if first(fields, "ctype") is not None:
                        props.ContentType = first(fields, "ctype")
                    if first(fields, "rtopic") is not None:
                        props.ResponseTopic = first(fields, "rtopic")
                    if first(fields, "corr") is not None:
                        props.CorrelationData = bytes.fromhex(first(fields, "corr"))
                    for k, v in fields:
                        if k == "user":
                            name, value = v.split(":", 1)
                            props.UserProperty = (urllib.parse.unquote(name), urllib.parse.unquote(value))
                    if props.isEmpty():
                        props = None
                info = client.publish(first(fields, "topic"), first(fields, "payload", "").encode("utf-8"),
                                      int(first(fields, "qos", "0")), first(fields, "retain") == "1", properties=props)
                info.wait_for_publish(WAIT)
                emit("published" if info.is_published() else "error", ("mid", info.mid))
            elif word == "disconnect":
                props = None
                if v5 and first(fields, "expiry") is not None:
                    props = Properties(PacketTypes.DISCONNECT)
                    props.SessionExpiryInterval = int(first(fields, "expiry"))
                reason = None
                if v5 and first(fields, "reason") is not None:
                    reason = ReasonCodes(PacketTypes.DISCONNECT, identifier=int(first(fields, "reason")))
                client.disconnect(reasoncode=reason, properties=props)
                ended = True
                break
            else:
                emit("error", ("what", "unknown command " + word))
        except Exception as e:
            emit("error", ("what", "%s: %r" % (word, e)))
    if not ended:  # end of input: a normal DISCONNECT, so that the network loop ends at once
        client.disconnect()
    client.loop_stop()
    emit("bye")
    return 0


if __name__ == "__main__":
    sys.exit(main())
