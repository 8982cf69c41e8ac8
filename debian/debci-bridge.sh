#!/bin/sh
# debci-bridge, as installed by the Debian package: Debian's node, the private tree.
exec /usr/bin/node /usr/share/debci-bridge/bin/debci-bridge.js "$@"
