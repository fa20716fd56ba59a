# Lesson 03 demo: records packed as TLVs, walked by the module, summarised.
. /lab/lib.sh

show insmod /lab/tlv.ko
show tlv selftest
show tlv send --ack --name Ada --name "Grace Hopper" --website https://kernel.org \
  --id 52437 --id 52438 --id 52439 --raw 9:cafe --raw 1:00
show nlprobe valid --type 33 --hex 010003080700000000000000
show nlprobe valid --type 33 --hex 03080700000000000000031000000000
show klog_of tlv
show rmmod tlv
