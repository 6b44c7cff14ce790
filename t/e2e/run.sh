#!/bin/sh
# The end-to-end tests: installs the pinned npm packages when they are
# missing, then runs node's test runner.  BUILD selects the build directory
# (default build); STS_MODULE, STS_STSCTL and NGINX override the paths.
set -eu

cd "$(dirname "$0")"

if [ ! -d node_modules/@alicloud/sts-sdk ] \
    || [ ! -d node_modules/@alicloud/pop-core ] \
    || [ ! -d node_modules/ali-oss ]
then
    npm install --no-audit --no-fund
fi

exec node --test "$@"
