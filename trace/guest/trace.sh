# Runs a lesson's demo with the netlink capture on (run inside the lab VM by
# `course trace N`):  sh /lab/trace.sh /lab/NN-demo.sh
# The capture is written to /tmp, then sent out on the second serial port,
# which the host has connected to its pcap file.
demo=$1

nltrace capture -w /tmp/trace.pcap --ready /tmp/trace.ready &
capture=$!
# Wait (at most 10 s) until the device is up and the socket reads it.
i=0
while [ ! -e /tmp/trace.ready ] && [ $i -lt 100 ] && kill -0 $capture 2>/dev/null; do
  sleep 0.1; i=$((i + 1))
done
[ -e /tmp/trace.ready ] || { echo "TRACE: the capture did not start"; exit 1; }

sh "$demo"
echo "TRACE: demo done (exit $?)"

kill $capture
wait $capture || { echo "TRACE: the capture failed"; exit 1; }
nltrace send /tmp/trace.pcap --port /dev/ttyS1 || { echo "TRACE: the capture could not be sent"; exit 1; }
