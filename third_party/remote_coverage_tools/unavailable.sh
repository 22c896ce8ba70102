#!/bin/sh
echo "coverage unavailable: @remote_coverage_tools is an offline stub (see third_party/remote_coverage_tools)" >&2
exit 1
