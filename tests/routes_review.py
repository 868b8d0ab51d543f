from .routes import Route

ROUTES: list[Route] = []
