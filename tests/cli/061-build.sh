# The build (Makefile, tools/deps.sh): `make` builds and installs nothing, naming what is missing;
# -Werror only for developers and CI; `make install` and `make uninstall` under a DESTDIR, and
# kpi.pc requiring only the library's own dependencies.
. "$KPI_TOP/tests/cli/lib.sh"
unset MAKEFLAGS MAKELEVEL MFLAGS
build=$(basename "$(dirname "$KPI")")

# A PATH where pkg-config knows no libfyaml and apt-get, sudo and npm only log that they ran.
mkdir bin
for t in apt-get sudo npm; do
    printf '#!/bin/sh\necho "%s $*" >> "%s/installed"\n' "$t" "$T_DIR" > bin/$t
done
printf '#!/bin/sh\nfor a; do [ "$a" = libfyaml ] && exit 1; done\nexec /usr/bin/pkg-config "$@"\n' \
    > bin/pkg-config
chmod +x bin/*

expect "deps.sh --check names a missing package and how to install it, installs nothing" '
    set +e; PATH="$T_DIR/bin:$PATH" sh "$KPI_TOP/tools/deps.sh" --check 2>err; rc=$?; set -e
    eq "$rc" 1
    has err "libfyaml-dev"
    has err "make deps"
    test ! -e installed'

expect "make (all) checks without installing; make deps would install" '
    make -n -C "$KPI_TOP" all BUILD="$build" > all.txt
    has all.txt "deps.sh --check"
    lacks all.txt "apt-get"
    lacks all.txt "npm ci --"
    lacks all.txt "make --no-print-directory deps"
    set +e; PATH="$T_DIR/bin:$PATH" make -s -C "$KPI_TOP" check-deps 2>err; rc=$?; set -e
    test "$rc" -ne 0
    has err "libfyaml-dev"
    test ! -e installed'

expect "-Werror only with DEVELOPER=1" '
    make -n -B -C "$KPI_TOP" BUILD="$T_DIR/b" DEVELOPER= "$T_DIR/b/obj/lib/util/civil.o" > plain.txt
    has plain.txt "-Wall -Wextra"
    lacks plain.txt "-Werror"
    make -n -B -C "$KPI_TOP" BUILD="$T_DIR/b" DEVELOPER=1 "$T_DIR/b/obj/lib/util/civil.o" > dev.txt
    has dev.txt "-Werror"'

expect "install puts kpi.pc with the library's own dependencies; uninstall removes all" '
    make -s -C "$KPI_TOP" install BUILD="$build" DESTDIR="$T_DIR/root" PREFIX=/usr > inst.txt
    test -x root/usr/bin/kpi && test -f root/usr/lib/libkpi.so.0 && test -f root/usr/include/kpi.h
    req=$(PKG_CONFIG_SYSROOT_DIR= PKG_CONFIG_PATH="$T_DIR/root/usr/lib/pkgconfig" \
        pkg-config --print-requires-private kpi | tr "\n" " ")
    eq "$req" "sqlite3 libfyaml jansson icu-i18n icu-uc libsodium libxxhash "
    make -s -C "$KPI_TOP" uninstall DESTDIR="$T_DIR/root" PREFIX=/usr
    eq "$(find root -type f -o -type l)" ""'
