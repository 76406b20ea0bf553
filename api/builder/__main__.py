import sys

from api.builder.database import main

sys.exit(main())
