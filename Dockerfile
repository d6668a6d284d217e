# The hatchery image: the static binary, CA certificates, a non-root user,
# and a static busybox shell, on an empty base.
#
# The build context is made by .ci/build-image, which builds the binary
# with the Go toolchain on the host (CGO_ENABLED=0, -trimpath, the version
# stamped with -X) and stages the rest. A golang build stage here would
# need a base image pulled from a registry, which some build machines
# cannot reach; a prebuilt binary builds the same image everywhere and
# lets Go's own cache make rebuilds fast.
#
# GitLab Runner starts every job by running `sh` in the job's image, so an
# image without a shell cannot run a CI job at all. busybox, installed in
# /busybox as kaniko's debug image does, is that shell; hatchery itself
# needs nothing but the binary and the certificates.
FROM scratch

COPY etc/passwd etc/group /etc/
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY busybox/ /busybox/
COPY --chown=65532:65532 home/ /home/hatchery/
# /tmp comes as an entry of root/, not as COPY's destination: a destination
# directory that COPY creates is 0755, and the non-root user could not
# write temporary files.
COPY root/ /
COPY hatchery /usr/local/bin/hatchery

ENV PATH=/usr/local/bin:/busybox \
    HOME=/home/hatchery \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
USER 65532:65532
WORKDIR /home/hatchery
ENTRYPOINT ["/usr/local/bin/hatchery"]
CMD ["--help"]
