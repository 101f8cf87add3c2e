"""Runs ClusterShell's own nodeset command (ClusterShell.CLI.Nodeset.main, what /usr/bin/nodeset runs) once per row
of a JSON list read from stdin ({"args": [...], "stdin": "..."}), in one interpreter so a table of hundreds of rows
costs one start; prints a JSON list of {"code", "out", "err"}."""
import io, json, sys
from ClusterShell.CLI import Nodeset
rows = json.load(sys.stdin)
out = []
for row in rows:
    sys.argv = ['nodeset'] + row['args']
    so, se = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr, sys.stdin
    sys.stdout, sys.stderr, sys.stdin = so, se, io.StringIO(row.get('stdin', ''))
    code = 0
    try:
        Nodeset.main()
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except Exception as e:
        code = 99; se.write('driver: %r' % e)
    finally:
        sys.stdout, sys.stderr, sys.stdin = old
    out.append({'code': code, 'out': so.getvalue(), 'err': se.getvalue()})
json.dump(out, sys.stdout)
