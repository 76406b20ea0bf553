import sys

from api.build.database import main

sys.exit(main())
