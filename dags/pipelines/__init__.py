"""The pipeline library of the Chemnitz open data portal: extract, transform and publish.

DAG files only wire these functions into Airflow tasks; everything here is plain Python that runs
and is tested without a scheduler.
"""
