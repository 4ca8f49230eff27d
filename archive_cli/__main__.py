import sys

from archive_cli.main import main

sys.exit(main())
