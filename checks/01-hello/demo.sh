# Lesson 01 demo: load the module, see it listed, unload it, read the kernel log.
. /lab/lib.sh

show insmod /lab/hello.ko
show grep hello /proc/modules
show rmmod hello
show klog_of hello
