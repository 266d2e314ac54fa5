"""The web dashboard: `filmbot web`, a separate process that reads the bot's database.

Discord login (OAuth2), server pages with charts, settings and a GraphQL API. It never
imports discord.py; it reaches data only through the services.
"""
