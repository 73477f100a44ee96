from xlcrm.cli import run

run()
